/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Velox's XDP full-NAT L4 balancer for TCP and UDP over IPv4 and IPv6 (echo to a VIP and
 * ICMP errors about its flows in icmp.h). A packet of a tracked flow (either
 * direction) gets its conntrack rewrite, and TCP control segments move its state (ct.h);
 * the first packet to a VIP is admitted (allowed_cidrs, connection_limit) and creates the
 * flow (member by the VIP's algorithm, select.h; SNAT port; flow.h); anything else goes to
 * the kernel untouched. lb_sweep (sweep.h), which the agent runs, ages flows. Rewritten
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
#include "fwd.h"
#include "icmp.h"
#include "local.h"
#include "sweep.h"

/* A packet of a tracked flow: the entry's rewrite, then the client's last hop or the FIB. */
static __always_inline int forward_tracked(struct xdp_md *ctx, struct packet *pkt, struct lb_flow *hit, __u64 now)
{
	__u32 mtu;
	int ret;

	if (now - hit->last_seen_ns > CT_LAST_SEEN_STEP_NS)
		hit->last_seen_ns = now;
	stats_packet(&lb_vip_stats, hit->vip_id, hit->dir, pkt->len);
	stats_packet(&lb_backend_stats, hit->backend_id, hit->dir, pkt->len);
	nat_rewrite(pkt, hit);
	if (last_hop_too_big(ctx, pkt, hit, &mtu))
		return too_big(ctx, pkt, mtu, hit->vip_id, hit->backend_id);
	ret = last_hop(ctx, pkt, hit);
	if (ret >= 0)
		return ret;
	return forward(ctx, pkt, hit->vip_id, hit->backend_id);
}

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
	struct packet pkt;
	struct lb_vip_meta *vip = NULL;
	struct lb_flow *hit;
	struct lb_flow fwd;
	__u64 now;
	int ret;

	ret = parse_packet(ctx, &pkt);
	if (ret != PARSE_OK) {
		if (ret == PARSE_ICMP)
			return icmp_process(ctx, &pkt);
		return stats_exit(ret, pkt.len, exit_action(ret));
	}

	hit = bpf_map_lookup_elem(&lb_flows, &pkt.key);
	if (hit) {
		if (pkt_ttl_expiring(&pkt))
			return stats_exit(LB_EXIT_PASS_TTL, pkt.len, XDP_PASS);
		now = bpf_ktime_get_ns();
		if (pkt.key.proto != IPPROTO_TCP || !ct_tcp_needs_work(&pkt, hit) ||
		    ct_tcp(&pkt, hit, ctx->ingress_ifindex, now, &vip) == CT_KEEP)
			return forward_tracked(ctx, &pkt, hit, now);
		/* A SYN reusing a closed or idle tuple: its old pair is gone, vip is set. */
	} else {
		vip = ct_vip_of(&pkt);
	}
	if (!vip)
		return stats_exit(LB_EXIT_PASS_NOT_VIP, pkt.len, XDP_PASS);

	if (!(vip->flags & LB_VIP_F_ENABLED))
		return drop(&pkt, LB_EXIT_DROP_VIP_DISABLED, vip->vip_id, LB_MAX_BACKENDS);
	/* Only a SYN opens a TCP flow; a stray segment would reach a member that never saw it,
	 * unless it belongs to a connection this host holds (HAProxy's, from before a move). */
	if (pkt.key.proto == IPPROTO_TCP &&
	    (!(pkt.tcp_flags & TCP_FLAG_SYN_BIT) || (pkt.tcp_flags & TCP_FLAG_ACK_BIT))) {
		if (local_socket_owns(ctx, &pkt))
			return stats_exit(LB_EXIT_PASS_LOCAL_SOCKET, pkt.len, XDP_PASS);
		return drop(&pkt, LB_EXIT_DROP_NO_FLOW, vip->vip_id, LB_MAX_BACKENDS);
	}
	if (pkt_ttl_expiring(&pkt))
		return stats_exit(LB_EXIT_PASS_TTL, pkt.len, XDP_PASS);
	ret = flow_admit(&pkt, vip);
	if (ret != FLOW_OK)
		return drop(&pkt, ret, vip->vip_id, LB_MAX_BACKENDS);

	fwd.backend_id = LB_MAX_BACKENDS; /* out of range: no member to count against yet */
	ret = flow_create(&pkt, vip, ctx->ingress_ifindex, &fwd);
	if (ret != FLOW_OK)
		return drop(&pkt, ret, vip->vip_id, fwd.backend_id);
	stats_opened(fwd.vip_id, fwd.backend_id);
	stats_new_flow(&lb_vip_stats, fwd.vip_id);
	stats_new_flow(&lb_backend_stats, fwd.backend_id);
	stats_packet(&lb_vip_stats, fwd.vip_id, LB_DIR_FORWARD, pkt.len);
	stats_packet(&lb_backend_stats, fwd.backend_id, LB_DIR_FORWARD, pkt.len);
	nat_rewrite(&pkt, &fwd);
	return forward(ctx, &pkt, fwd.vip_id, fwd.backend_id);
}

/* The conntrack sweep: never attached; the agent runs it by BPF_PROG_TEST_RUN with a
 * struct lb_sweep_args as the packet, and reads the results from the packet it returns. */
SEC("xdp")
int lb_sweep(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct lb_sweep_args *args = data;

	if ((void *)(args + 1) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	sweep_run(args);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
