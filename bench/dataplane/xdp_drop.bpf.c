/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The ceiling: counts and drops the benchmark's UDP packets at the balancer's ingress.
 * Also the member's sink (built with -DPORT=<member port>), where it counts arrivals.
 */
#include "counter.h"

#ifndef PORT
#error "build with -DPORT=<udp port>"
#endif
/* The map's name is how the bench finds the counter: one name per attached copy. */
#ifndef COUNTER
#define COUNTER vxk_drop_cnt
#endif

COUNTER_MAP(COUNTER);

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	struct ethhdr *eth;
	struct iphdr *ip;

	if (!udp_to((void *)(long)ctx->data, (void *)(long)ctx->data_end, PORT, &eth, &ip))
		return XDP_PASS;
	count(&COUNTER);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
