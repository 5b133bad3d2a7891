/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The conntrack sweep, in the kernel: one walk of lb_flows that deletes pairs idle past
 * their state's timeout, deletes halves whose twin's key another flow holds now, rebuilds
 * a half LRU eviction took, and counts the live pairs per VIP and member into
 * lb_vip_active / lb_backend_active (which connection_limit and LEAST_CONNECTIONS read).
 * The policy is the one src/dataplane/conntrack.ts planSweep() states; a test runs both
 * on the same tables. Walking in the kernel costs a hash lookup per entry instead of
 * copying the whole table to the agent and back.
 */
#ifndef VELOX_SWEEP_H
#define VELOX_SWEEP_H

#include "maps.h"
#include "ct.h"

/* Octavia's defaults, for flows of a VIP no longer in lb_vips (conntrack.ts DEFAULT_VIP_TIMEOUTS). */
#define SWEEP_DEFAULT_IDLE_MS 50000
#define SWEEP_DEFAULT_SYN_MS 5000
#define SWEEP_SLOTS (LB_MAX_VIPS + LB_MAX_BACKENDS)

struct bpf_map;

struct sweep_ctx {
	struct lb_sweep_args *args;
	__u64 now_ns;
	__u32 closing_timeout_ms;
	__u16 mark;
};

/* Slot i: the opened counter now, nothing counted yet, default timeouts. */
static long sweep_slot_reset(__u32 i, void *unused)
{
	struct lb_sweep_slot *slot = bpf_map_lookup_elem(&lb_sweep_slots, &i);
	__u32 id = i < LB_MAX_VIPS ? i : i - LB_MAX_VIPS;
	__u64 *opened = bpf_map_lookup_elem(i < LB_MAX_VIPS ? (void *)&lb_vip_opened : (void *)&lb_backend_opened, &id);

	if (!slot)
		return 1;
	slot->opened_at_sweep = opened ? *opened : 0;
	slot->active = 0;
	slot->idle_timeout_ms = SWEEP_DEFAULT_IDLE_MS;
	slot->syn_timeout_ms = SWEEP_DEFAULT_SYN_MS;
	return 0;
}

/* A VIP in lb_vips: its flows age by its own timeouts. */
static long sweep_vip_timeouts(struct bpf_map *map, struct lb_vip_key *key, struct lb_vip_meta *vip, void *unused)
{
	__u32 id = vip->vip_id;
	struct lb_sweep_slot *slot;

	if (id >= LB_MAX_VIPS)
		return 0; /* the ICMP echo entries' vip_id */
	slot = bpf_map_lookup_elem(&lb_sweep_slots, &id);
	if (slot) {
		slot->idle_timeout_ms = vip->idle_timeout_ms;
		slot->syn_timeout_ms = vip->syn_timeout_ms;
	}
	return 0;
}

/* Slot i published: { opened_at_sweep, active } into lb_vip_active / lb_backend_active. */
static long sweep_slot_publish(__u32 i, void *unused)
{
	struct lb_sweep_slot *slot = bpf_map_lookup_elem(&lb_sweep_slots, &i);
	__u32 id = i < LB_MAX_VIPS ? i : i - LB_MAX_VIPS;
	struct lb_active act;

	if (!slot)
		return 1;
	act.opened_at_sweep = slot->opened_at_sweep;
	act.active = slot->active;
	bpf_map_update_elem(i < LB_MAX_VIPS ? (void *)&lb_vip_active : (void *)&lb_backend_active, &id, &act,
			    BPF_ANY);
	return 0;
}

static __always_inline void sweep_count(__u32 slot_id)
{
	struct lb_sweep_slot *slot = bpf_map_lookup_elem(&lb_sweep_slots, &slot_id);

	if (slot)
		slot->active++;
}

static __always_inline __u64 sweep_timeout_ms(__u8 state, __u32 vip_id, __u32 closing_timeout_ms)
{
	struct lb_sweep_slot *slot;

	if (state == LB_CT_CLOSING)
		return closing_timeout_ms;
	slot = vip_id < LB_MAX_VIPS ? bpf_map_lookup_elem(&lb_sweep_slots, &vip_id) : NULL;
	if (state == LB_CT_SYN_SENT)
		return slot ? slot->syn_timeout_ms : SWEEP_DEFAULT_SYN_MS;
	return slot ? slot->idle_timeout_ms : SWEEP_DEFAULT_IDLE_MS; /* UDP and ESTABLISHED */
}

/* One entry of lb_flows. A pair is judged once, at its forward half. */
static long sweep_entry(struct bpf_map *map, struct lb_flow_key *key, struct lb_flow *f, struct sweep_ctx *c)
{
	struct lb_flow_key tkey;
	struct lb_flow *twin, rebuilt;
	__u64 last, timeout_ms;
	__u8 state;
	int whole;

	if (f->sweep_mark == c->mark)
		return 0; /* rebuilt by this walk from a half already judged and counted */
	c->args->entries++;
	ct_twin_key(key, f, &tkey);
	twin = bpf_map_lookup_elem(&lb_flows, &tkey);
	whole = twin && twin->dir != f->dir && ct_is_twin_of(key, twin);
	if (twin && !whole) {
		if (bpf_map_delete_elem(&lb_flows, key) == 0)
			c->args->orphaned++;
		return 0;
	}
	if (whole && f->dir != LB_DIR_FORWARD)
		return 0;
	state = f->state;
	last = f->last_seen_ns;
	if (twin) {
		if (twin->state > state)
			state = twin->state;
		if (twin->last_seen_ns > last)
			last = twin->last_seen_ns;
	}
	timeout_ms = sweep_timeout_ms(state, f->vip_id, c->closing_timeout_ms);
	if (timeout_ms && c->now_ns > last && c->now_ns - last > timeout_ms * 1000000ULL) {
		if (twin && bpf_map_delete_elem(&lb_flows, &tkey) == 0)
			c->args->expired++;
		if (bpf_map_delete_elem(&lb_flows, key) == 0)
			c->args->expired++;
		return 0;
	}
	if (!twin) {
		/* No last hop: a rebuilt reverse half sends replies by the FIB. */
		ct_twin_entry(key, f, &rebuilt);
		rebuilt.sweep_mark = c->mark;
		if (bpf_map_update_elem(&lb_flows, &tkey, &rebuilt, BPF_NOEXIST) == 0)
			c->args->repaired++;
	}
	if (state != LB_CT_CLOSING) {
		if (f->vip_id < LB_MAX_VIPS)
			sweep_count(f->vip_id);
		if (f->backend_id < LB_MAX_BACKENDS)
			sweep_count(LB_MAX_VIPS + f->backend_id);
	}
	return 0;
}

static __always_inline void sweep_run(struct lb_sweep_args *args)
{
	struct sweep_ctx c = { .args = args, .now_ns = args->now_ns, .mark = args->mark };
	struct lb_settings *set;
	__u32 zero = 0;

	set = bpf_map_lookup_elem(&lb_settings, &zero);
	c.closing_timeout_ms = set ? set->closing_timeout_ms : 0;
	args->entries = args->expired = args->orphaned = args->repaired = 0;
	bpf_loop(SWEEP_SLOTS, sweep_slot_reset, NULL, 0);
	bpf_for_each_map_elem(&lb_vips, sweep_vip_timeouts, NULL, 0);
	bpf_for_each_map_elem(&lb_flows, sweep_entry, &c, 0);
	bpf_loop(SWEEP_SLOTS, sweep_slot_publish, NULL, 0);
}

#endif /* VELOX_SWEEP_H */
