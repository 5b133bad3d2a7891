/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Counters: every return is counted by exit reason (per CPU); owned packets, flows and
 * drops per VIP and member (per CPU), drops also per reason; flows opened per VIP and
 * member (shared, atomic), which with the sweep's lb_*_active estimate open connections.
 */
#ifndef VELOX_STATS_H
#define VELOX_STATS_H

#include "maps.h"
#include "parse.h"

static __always_inline int stats_exit(__u32 reason, __u32 bytes, int action)
{
	struct lb_exit_counter *c = bpf_map_lookup_elem(&lb_exit_stats, &reason);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
	return action;
}

/* LB_DIR_FORWARD counts as rx (client -> member), LB_DIR_REVERSE as tx. */
static __always_inline void stats_packet(void *map, __u32 id, __u8 dir, __u32 bytes)
{
	struct lb_stats *s = bpf_map_lookup_elem(map, &id);

	if (!s)
		return;
	if (dir == LB_DIR_FORWARD) {
		s->rx_packets++;
		s->rx_bytes += bytes;
	} else {
		s->tx_packets++;
		s->tx_bytes += bytes;
	}
}

static __always_inline void stats_new_flow(void *map, __u32 id)
{
	struct lb_stats *s = bpf_map_lookup_elem(map, &id);

	if (s)
		s->new_flows++;
}

static __always_inline void stats_drop(void *map, __u32 id)
{
	struct lb_stats *s = bpf_map_lookup_elem(map, &id);

	if (s)
		s->drops++;
}

/* A drop by reason, for the VIP and member charged (an out-of-range id, e.g. LB_MAX_BACKENDS, charges none). */
static __always_inline void stats_drop_reason(__u32 vip_id, __u32 backend_id, __u32 reason)
{
	__u32 idx = vip_id * LB_EXIT_MAX + reason;
	__u64 *n;

	if (vip_id < LB_MAX_VIPS) {
		n = bpf_map_lookup_elem(&lb_vip_drops, &idx);
		if (n)
			*n += 1;
	}
	if (backend_id < LB_MAX_BACKENDS) {
		idx = backend_id * LB_EXIT_MAX + reason;
		n = bpf_map_lookup_elem(&lb_backend_drops, &idx);
		if (n)
			*n += 1;
	}
}

/* A flow opened on the VIP and member: shared counters, so added to atomically. */
static __always_inline void stats_opened(__u32 vip_id, __u32 backend_id)
{
	__u64 *n = bpf_map_lookup_elem(&lb_vip_opened, &vip_id);

	if (n)
		__sync_fetch_and_add(n, 1);
	n = bpf_map_lookup_elem(&lb_backend_opened, &backend_id);
	if (n)
		__sync_fetch_and_add(n, 1);
}

/*
 * Connections open now on a VIP or member, estimated as the sweep's count plus the flows
 * opened since (an opened counter behind the sweep's snapshot, e.g. after a reset, adds 0).
 */
static __always_inline __u64 stats_open_estimate(void *active_map, void *opened_map, __u32 id)
{
	struct lb_active *act = bpf_map_lookup_elem(active_map, &id);
	__u64 *opened = bpf_map_lookup_elem(opened_map, &id);
	__u64 since = 0, base = 0;

	if (act) {
		base = act->active;
		since = act->opened_at_sweep;
	}
	if (opened && *opened > since)
		base += *opened - since;
	return base;
}

/* A dropped packet: counted for its VIP and member (request_errors) and by reason. */
static __always_inline int drop(const struct packet *pkt, int reason, __u32 vip_id, __u32 backend_id)
{
	stats_drop(&lb_vip_stats, vip_id);
	stats_drop(&lb_backend_stats, backend_id);
	stats_drop_reason(vip_id, backend_id, reason);
	return stats_exit(reason, pkt->len, XDP_DROP);
}

#endif /* VELOX_STATS_H */
