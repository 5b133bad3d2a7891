/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Shared by the benchmark's XDP programs: a per-CPU packet counter and a port test. */
#ifndef VXK_BENCH_COUNTER_H
#define VXK_BENCH_COUNTER_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define COUNTER_MAP(name)                                                                        \
	struct {                                                                                 \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                                         \
		__uint(max_entries, 1);                                                          \
		__type(key, __u32);                                                              \
		__type(value, __u64);                                                            \
	} name SEC(".maps")

static __always_inline void count(void *map)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(map, &zero);

	if (n)
		*n += 1;
}

/* The ports of an option-less IPv4 packet of `proto` to `port`, or NULL (ARP and the rest pass). */
static __always_inline __be16 *l4_to(void *data, void *data_end, __u8 proto, __u16 port, struct ethhdr **eth,
				     struct iphdr **ip)
{
	__be16 *ports;

	*eth = data;
	*ip = (void *)(*eth + 1);
	ports = (void *)(*ip + 1);
	/* Both headers' ports come first; a TCP header is longer and must be all there. */
	if ((void *)ports + (proto == IPPROTO_TCP ? sizeof(struct tcphdr) : sizeof(struct udphdr)) > data_end)
		return NULL;
	if ((*eth)->h_proto != bpf_htons(ETH_P_IP) || (*ip)->ihl != 5 || (*ip)->protocol != proto)
		return NULL;
	if (ports[1] != bpf_htons(port))
		return NULL;
	return ports;
}

#endif
