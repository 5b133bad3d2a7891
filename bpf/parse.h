/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Header parsing: Ethernet -> IPv4 (options honoured) -> TCP/UDP, with every bound
 * checked. The result is either an exit reason (the packet is not ours or is broken)
 * or a struct packet holding pointers to the headers and the 5-tuple as a flow key.
 */
#ifndef VELOX_PARSE_H
#define VELOX_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "lb.h"

#define PARSE_OK (-1)
#define IPV4_MF 0x2000
#define IPV4_OFFSET 0x1fff

struct packet {
	struct ethhdr *eth;
	struct iphdr *ip;
	__be16 *ports;	 /* [0] source, [1] destination: same place in TCP and UDP */
	__u16 *l4_check; /* TCP or UDP checksum field */
	__u32 len;	 /* frame length, for byte counters */
	__u8 tcp_flags;	 /* byte 13 of the TCP header; 0 for UDP */
	struct lb_flow_key key;
};

#define TCP_FLAG_SYN_BIT 0x02
#define TCP_FLAG_ACK_BIT 0x10

/*
 * Fills *pkt and returns PARSE_OK, or returns the exit reason. Tagged (802.1Q) frames
 * are passed to the kernel: forwarding them would need the VLAN device's neighbours.
 */
static __always_inline int parse_packet(struct xdp_md *ctx, struct packet *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u32 ihl, tot_len, l4_len;
	void *l4;

	pkt->len = data_end - data;
	if ((void *)(eth + 1) > data_end)
		return LB_EXIT_DROP_MALFORMED;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return LB_EXIT_PASS_NOT_IP;

	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return LB_EXIT_DROP_MALFORMED;
	if (ip->version != 4 || ip->ihl < 5)
		return LB_EXIT_DROP_MALFORMED;
	ihl = ip->ihl * 4;
	tot_len = bpf_ntohs(ip->tot_len);
	/* Ethernet may pad short frames, so the frame may be longer than tot_len, never shorter. */
	if (tot_len < ihl || tot_len > (__u32)(data_end - (void *)ip))
		return LB_EXIT_DROP_MALFORMED;
	if (ip->frag_off & bpf_htons(IPV4_MF | IPV4_OFFSET))
		return LB_EXIT_PASS_FRAGMENT;

	l4 = (void *)ip + ihl;
	l4_len = tot_len - ihl;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end || l4_len < sizeof(*tcp))
			return LB_EXIT_DROP_MALFORMED;
		if (tcp->doff < 5 || tcp->doff * 4 > l4_len)
			return LB_EXIT_DROP_MALFORMED;
		pkt->l4_check = &tcp->check;
		pkt->tcp_flags = ((__u8 *)tcp)[13];
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end || l4_len < sizeof(*udp))
			return LB_EXIT_DROP_MALFORMED;
		if (bpf_ntohs(udp->len) < sizeof(*udp) || bpf_ntohs(udp->len) > l4_len)
			return LB_EXIT_DROP_MALFORMED;
		pkt->l4_check = &udp->check;
		pkt->tcp_flags = 0;
	} else {
		return LB_EXIT_PASS_NOT_L4;
	}

	pkt->eth = eth;
	pkt->ip = ip;
	pkt->ports = l4;
	__builtin_memset(&pkt->key, 0, sizeof(pkt->key));
	pkt->key.src[0] = ip->saddr;
	pkt->key.dst[0] = ip->daddr;
	pkt->key.sport = pkt->ports[0];
	pkt->key.dport = pkt->ports[1];
	pkt->key.proto = ip->protocol;
	pkt->key.family = LB_FAMILY_IPV4;
	return PARSE_OK;
}

#endif /* VELOX_PARSE_H */
