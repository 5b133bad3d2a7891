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
#include "toobig.h"

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

/* The FIB's answer for the packet as it now is; sport/dport only steer policy routing and multipath. */
static __always_inline long fib_route(struct xdp_md *ctx, const struct packet *pkt, __be16 sport, __be16 dport,
				      struct bpf_fib_lookup *fib)
{
	fib_params(fib, pkt, sport, dport);
	fib->ifindex = ctx->ingress_ifindex;
	return bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
}

/* Sends the packet where a successful FIB lookup said: back out of the ingress NIC, or redirected. */
static __always_inline int fib_send(struct xdp_md *ctx, struct packet *pkt, const struct bpf_fib_lookup *fib,
				    __u32 vip_id, __u32 backend_id)
{
	__builtin_memcpy(pkt->eth->h_dest, fib->dmac, ETH_ALEN);
	__builtin_memcpy(pkt->eth->h_source, fib->smac, ETH_ALEN);

	if (fib->ifindex == ctx->ingress_ifindex)
		return stats_exit(LB_EXIT_TX, pkt->len, XDP_TX);
	/* An egress interface missing from lb_tx_ports makes redirect_map return XDP_DROP. */
	if (bpf_redirect_map(&lb_tx_ports, fib->ifindex, XDP_DROP) != XDP_REDIRECT)
		return drop(pkt, LB_EXIT_DROP_FIB, vip_id, backend_id);
	return stats_exit(LB_EXIT_REDIRECT, pkt->len, XDP_REDIRECT);
}

/* A rewritten packet (a translated ICMP error: ports 0) forwarded by the FIB. */
static __always_inline int fib_forward(struct xdp_md *ctx, struct packet *pkt, __be16 sport, __be16 dport,
				       __u32 vip_id, __u32 backend_id)
{
	struct bpf_fib_lookup fib;

	if (fib_route(ctx, pkt, sport, dport, &fib) != BPF_FIB_LKUP_RET_SUCCESS)
		return drop(pkt, LB_EXIT_DROP_FIB, vip_id, backend_id);
	return fib_send(ctx, pkt, &fib, vip_id, backend_id);
}

/*
 * A rewritten TCP or UDP packet, forwarded by the FIB; one the route's MTU cannot carry
 * turns into an ICMP error for its sender (toobig.h).
 */
static __always_inline int forward(struct xdp_md *ctx, struct packet *pkt, __u32 vip_id, __u32 backend_id)
{
	struct bpf_fib_lookup fib;
	long rc = fib_route(ctx, pkt, pkt->ports[0], pkt->ports[1], &fib);

	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return too_big(ctx, pkt, fib.mtu_result, vip_id, backend_id);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return drop(pkt, LB_EXIT_DROP_FIB, vip_id, backend_id);
	return fib_send(ctx, pkt, &fib, vip_id, backend_id);
}

/* Packets up to this size fit any link (IPv6's minimum MTU): the reply path checks only bigger ones. */
#define LAST_HOP_SAFE_LEN 1280

/*
 * True when a reply sent to its recorded last hop would exceed that interface's MTU (the
 * FIB checks the other direction); *mtu is then that MTU.
 */
static __always_inline int last_hop_too_big(struct xdp_md *ctx, const struct packet *pkt, const struct lb_flow *f,
					    __u32 *mtu)
{
	*mtu = 0;
	if (f->ifindex == 0 || pkt->len <= ETH_HLEN + LAST_HOP_SAFE_LEN)
		return 0;
	return bpf_check_mtu(ctx, f->ifindex, mtu, 0, 0) == BPF_MTU_CHK_RET_FRAG_NEEDED;
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
