/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Velox's XDP full-NAT L4 balancer for IPv4 TCP and UDP. A packet of a tracked flow
 * (either direction) gets its conntrack rewrite; the first packet to a VIP creates the
 * flow (Maglev pick + SNAT port); anything else goes to the kernel untouched. Rewritten
 * packets leave by bpf_fib_lookup: back out of the ingress NIC or redirected via DEVMAP,
 * except replies, which go back to the client's last hop as recorded in the flow.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lb.h"
#include "maps.h"
#include "parse.h"
#include "csum.h"
#include "nat.h"
#include "flow.h"
#include "stats.h"

#define LB_AF_INET 2 /* AF_INET, which the BPF target's headers do not provide */

static __always_inline int exit_action(int reason)
{
	switch (reason) {
	case LB_EXIT_PASS_NOT_IP:
	case LB_EXIT_PASS_NOT_L4:
	case LB_EXIT_PASS_FRAGMENT:
	case LB_EXIT_PASS_NOT_VIP:
	case LB_EXIT_PASS_TTL:
		return XDP_PASS;
	default:
		return XDP_DROP;
	}
}

static __always_inline int drop(const struct packet *pkt, int reason, __u32 vip_id, __u32 backend_id)
{
	stats_drop(&lb_vip_stats, vip_id);
	stats_drop(&lb_backend_stats, backend_id);
	return stats_exit(reason, pkt->len, XDP_DROP);
}

/* Sends the rewritten packet towards its new destination, as the kernel's FIB says. */
static __always_inline int forward(struct xdp_md *ctx, struct packet *pkt, __u32 vip_id, __u32 backend_id)
{
	struct iphdr *ip = pkt->ip;
	struct bpf_fib_lookup fib;
	long rc;

	__builtin_memset(&fib, 0, sizeof(fib));
	fib.family = LB_AF_INET;
	fib.tos = ip->tos;
	fib.l4_protocol = ip->protocol;
	fib.sport = pkt->ports[0];
	fib.dport = pkt->ports[1];
	fib.tot_len = bpf_ntohs(ip->tot_len);
	fib.ipv4_src = ip->saddr;
	fib.ipv4_dst = ip->daddr;
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

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
	struct packet pkt;
	struct lb_vip_key vkey;
	struct lb_vip_meta *vip;
	struct lb_flow *hit;
	struct lb_flow fwd;
	int ret;

	ret = parse_packet(ctx, &pkt);
	if (ret != PARSE_OK)
		return stats_exit(ret, pkt.len, exit_action(ret));

	hit = bpf_map_lookup_elem(&lb_flows, &pkt.key);
	if (hit) {
		if (pkt.ip->ttl <= 1)
			return stats_exit(LB_EXIT_PASS_TTL, pkt.len, XDP_PASS);
		hit->last_seen_ns = bpf_ktime_get_ns();
		stats_packet(&lb_vip_stats, hit->vip_id, hit->dir, pkt.len);
		stats_packet(&lb_backend_stats, hit->backend_id, hit->dir, pkt.len);
		nat_rewrite(&pkt, hit);
		ret = last_hop(ctx, &pkt, hit);
		if (ret >= 0)
			return ret;
		return forward(ctx, &pkt, hit->vip_id, hit->backend_id);
	}

	__builtin_memset(&vkey, 0, sizeof(vkey));
	vkey.addr[0] = pkt.key.dst[0];
	vkey.port = pkt.key.dport;
	vkey.proto = pkt.key.proto;
	vkey.family = LB_FAMILY_IPV4;
	vip = bpf_map_lookup_elem(&lb_vips, &vkey);
	if (!vip)
		return stats_exit(LB_EXIT_PASS_NOT_VIP, pkt.len, XDP_PASS);
	if (!(vip->flags & LB_VIP_F_ENABLED))
		return drop(&pkt, LB_EXIT_DROP_VIP_DISABLED, vip->vip_id, LB_MAX_BACKENDS);
	/* Only a SYN opens a TCP flow; a stray segment would reach a member that never saw it. */
	if (pkt.key.proto == IPPROTO_TCP &&
	    (!(pkt.tcp_flags & TCP_FLAG_SYN_BIT) || (pkt.tcp_flags & TCP_FLAG_ACK_BIT)))
		return drop(&pkt, LB_EXIT_DROP_NO_FLOW, vip->vip_id, LB_MAX_BACKENDS);
	if (pkt.ip->ttl <= 1)
		return stats_exit(LB_EXIT_PASS_TTL, pkt.len, XDP_PASS);

	fwd.backend_id = LB_MAX_BACKENDS; /* out of range: no member to count against yet */
	ret = flow_create(&pkt, vip, ctx->ingress_ifindex, &fwd);
	if (ret != FLOW_OK)
		return drop(&pkt, ret, vip->vip_id, fwd.backend_id);
	stats_new_flow(&lb_vip_stats, fwd.vip_id);
	stats_new_flow(&lb_backend_stats, fwd.backend_id);
	stats_packet(&lb_vip_stats, fwd.vip_id, LB_DIR_FORWARD, pkt.len);
	stats_packet(&lb_backend_stats, fwd.backend_id, LB_DIR_FORWARD, pkt.len);
	nat_rewrite(&pkt, &fwd);
	return forward(ctx, &pkt, fwd.vip_id, fwd.backend_id);
}

char LICENSE[] SEC("license") = "GPL";
