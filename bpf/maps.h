/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Every map of xdp_lb, named as in lb.h (LB_MAP_*) and pinned by name. */
#ifndef VELOX_MAPS_H
#define VELOX_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lb.h"

/* (VIP address, port, protocol) -> its ring row, stats slot and flags. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, struct lb_vip_key);
	__type(value, struct lb_vip_meta);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_vips SEC(".maps");

/* Maglev tables: entry ring_id * LB_RING_SIZE + slot holds backend id + 1 (0 = empty slot). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_RINGS * LB_RING_SIZE);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_rings SEC(".maps");

/* backend id -> member address/port and the SNAT address used to reach it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct lb_backend);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_backends SEC(".maps");

/* Conntrack: 5-tuple as received -> rewrite; one forward and one reverse entry per flow. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LB_MAX_FLOWS);
	__type(key, struct lb_flow_key);
	__type(value, struct lb_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_flows SEC(".maps");

/* ifindex -> ifindex of the interfaces the program may redirect to. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, LB_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_tx_ports SEC(".maps");

/* Entry 0: amphora-wide settings (SNAT port range). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_settings);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_settings SEC(".maps");

/* vip_id -> per-CPU packet, byte, flow and drop counters of the service. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct lb_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_vip_stats SEC(".maps");

/* backend id -> per-CPU packet, byte, flow and drop counters of the member. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct lb_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_backend_stats SEC(".maps");

/* enum lb_exit_reason -> per-CPU packets and bytes that left the program for that reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_EXIT_MAX);
	__type(key, __u32);
	__type(value, struct lb_exit_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_exit_stats SEC(".maps");

/* vip_id * LB_EXIT_MAX + reason -> per-CPU drops of the service for that reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_MAX_VIPS * LB_EXIT_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_vip_drops SEC(".maps");

/* backend id * LB_EXIT_MAX + reason -> per-CPU drops of the member for that reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_MAX_BACKENDS * LB_EXIT_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_backend_drops SEC(".maps");

/* vip_id -> flows opened so far (shared, atomic add): with lb_vip_active, the open count. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_vip_opened SEC(".maps");

/* vip_id -> the agent's last conntrack count (struct lb_active). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct lb_active);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_vip_active SEC(".maps");

/* backend id -> flows opened so far (shared, atomic add). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_backend_opened SEC(".maps");

/* backend id -> the agent's last conntrack count (struct lb_active). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct lb_active);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_backend_active SEC(".maps");

/* vip_id -> per-CPU round-robin position in the VIP's ring. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_rr SEC(".maps");

/* (vip_id, source prefix) -> 1: a listener's allowed_cidrs (LPM trie). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, LB_MAX_CIDRS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lb_cidr_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_allowed_cidrs SEC(".maps");

/* The conntrack sweep's scratch (lb.h struct lb_sweep_slot): VIPs, then members. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_VIPS + LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct lb_sweep_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_sweep_slots SEC(".maps");

#endif /* VELOX_MAPS_H */
