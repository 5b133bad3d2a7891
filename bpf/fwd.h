/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Where a rewritten packet (IPv4 or IPv6) leaves: by bpf_fib_lookup (back out of the ingress NIC with
 * XDP_TX or redirected via DEVMAP), or, for replies, to the client's recorded last hop.
 * Every return is counted by exit reason.
 */
#ifndef VELOX_FWD_H
#define VELOX_FWD_H

#include "maps.h"
#include "parse.h"
#include "stats.h"

/* AF_INET and AF_INET6, which the BPF target's headers do not provide */
#define LB_AF_INET 2
#define LB_AF_INET6 10
#define IPV6_FLOWINFO_MASK 0x0fffffff /* traffic class and flow label */

static __always_inline int exit_action(int reason)
{
	switch (reason) {
	case LB_EXIT_PASS_NOT_IP:
	case LB_EXIT_PASS_NOT_L4:
	case LB_EXIT_PASS_FRAGMENT:
	case LB_EXIT_PASS_NOT_VIP:
	case LB_EXIT_PASS_TTL:
	case LB_EXIT_PASS_ICMP:
		return XDP_PASS;
	default:
		return XDP_DROP;
	}
}

static __always_inline int drop(const struct packet *pkt, int reason, __u32 vip_id, __u32 backend_id)
{
	stats_drop(&lb_vip_stats, vip_id);
	stats_drop(&lb_backend_stats, backend_id);
	stats_drop_reason(vip_id, backend_id, reason);
	return stats_exit(reason, pkt->len, XDP_DROP);
}

/* The FIB query for the packet as it now is: IPv4 or IPv6 addresses, its L4 protocol and ports. */
static __always_inline void fib_params(struct bpf_fib_lookup *fib, const struct packet *pkt, __be16 sport,
				       __be16 dport)
{
	__builtin_memset(fib, 0, sizeof(*fib));
	fib->l4_protocol = pkt->key.proto;
	fib->sport = sport;
	fib->dport = dport;
	if (pkt->family == LB_FAMILY_IPV6) {
		struct ipv6hdr *ip6 = pkt->ip6;

		fib->family = LB_AF_INET6;
		fib->flowinfo = *(__be32 *)ip6 & bpf_htonl(IPV6_FLOWINFO_MASK);
		fib->tot_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
		__builtin_memcpy(fib->ipv6_src, &ip6->saddr, sizeof(fib->ipv6_src));
		__builtin_memcpy(fib->ipv6_dst, &ip6->daddr, sizeof(fib->ipv6_dst));
	} else {
		struct iphdr *ip = pkt->ip;

		fib->family = LB_AF_INET;
		fib->tos = ip->tos;
		fib->tot_len = bpf_ntohs(ip->tot_len);
		fib->ipv4_src = ip->saddr;
		fib->ipv4_dst = ip->daddr;
	}
}

/*
 * Sends the rewritten packet towards its new destination, as the kernel's FIB says;
 * sport/dport only steer policy routing and multipath (0 for ICMP).
 */
static __always_inline int fib_forward(struct xdp_md *ctx, struct packet *pkt, __be16 sport, __be16 dport,
				       __u32 vip_id, __u32 backend_id)
{
	struct bpf_fib_lookup fib;
	long rc;

	fib_params(&fib, pkt, sport, dport);
	fib.ifindex = ctx->ingress_ifindex;

	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return drop(pkt, LB_EXIT_DROP_FIB, vip_id, backend_id);
	__builtin_memcpy(pkt->eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(pkt->eth->h_source, fib.smac, ETH_ALEN);

	if (fib.ifindex == ctx->ingress_ifindex)
		return stats_exit(LB_EXIT_TX, pkt->len, XDP_TX);
	/* An egress interface missing from lb_tx_ports makes redirect_map return XDP_DROP. */
	if (bpf_redirect_map(&lb_tx_ports, fib.ifindex, XDP_DROP) != XDP_REDIRECT)
		return drop(pkt, LB_EXIT_DROP_FIB, vip_id, backend_id);
	return stats_exit(LB_EXIT_REDIRECT, pkt->len, XDP_REDIRECT);
}

/* A rewritten TCP or UDP packet, forwarded by the FIB. */
static __always_inline int forward(struct xdp_md *ctx, struct packet *pkt, __u32 vip_id, __u32 backend_id)
{
	return fib_forward(ctx, pkt, pkt->ports[0], pkt->ports[1], vip_id, backend_id);
}

/*
 * Auto last hop: a reply leaves by the interface and to the MAC the client's first frame
 * came from, so it needs no neighbour entry for the client. Returns -1 when the flow has
 * no record or the interface is no longer in lb_tx_ports (then the FIB decides).
 */
static __always_inline int last_hop(struct xdp_md *ctx, struct packet *pkt, const struct lb_flow *f)
{
	__u32 ifindex = f->ifindex;

	if (ifindex == 0)
		return -1;
	if (ifindex != ctx->ingress_ifindex &&
	    bpf_redirect_map(&lb_tx_ports, ifindex, XDP_DROP) != XDP_REDIRECT)
		return -1;
	__builtin_memcpy(pkt->eth->h_dest, f->l2_dst, ETH_ALEN);
	__builtin_memcpy(pkt->eth->h_source, f->l2_src, ETH_ALEN);
	if (ifindex == ctx->ingress_ifindex)
		return stats_exit(LB_EXIT_TX, pkt->len, XDP_TX);
	return stats_exit(LB_EXIT_REDIRECT, pkt->len, XDP_REDIRECT);
}

#endif /* VELOX_FWD_H */
