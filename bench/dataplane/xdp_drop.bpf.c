/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The ceiling: counts and drops the benchmark's UDP packets to UDP_PORT and TCP segments
 * to TCP_PORT at the balancer's ingress. Also the member's sink (built with the member
 * ports), where it counts arrivals; other traffic, such as the TCP tests', passes.
 */
#include "counter.h"

#if !defined(UDP_PORT) || !defined(TCP_PORT)
#error "build with -DUDP_PORT=<port> -DTCP_PORT=<port>"
#endif
/* The map's name is how the bench finds the counter: one name per attached copy. */
#ifndef COUNTER
#define COUNTER vxk_drop_cnt
#endif

COUNTER_MAP(COUNTER);

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth;
	struct iphdr *ip;

	if (!l4_to(data, data_end, IPPROTO_UDP, UDP_PORT, &eth, &ip) &&
	    !l4_to(data, data_end, IPPROTO_TCP, TCP_PORT, &eth, &ip))
		return XDP_PASS;
	count(&COUNTER);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
