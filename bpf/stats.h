/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Per-CPU counters: every return is counted by exit reason; owned packets per VIP and member. */
#ifndef VELOX_STATS_H
#define VELOX_STATS_H

#include "maps.h"

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

#endif /* VELOX_STATS_H */
