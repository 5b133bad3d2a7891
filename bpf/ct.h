/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Conntrack of existing flows: TCP states (lb.h LB_CT_*), a SYN reopening a closed or
 * idle tuple, and repair of a pair when LRU eviction took one half. A flow is a pair of
 * lb_flows entries, each the other's "twin": an entry's rewrite names its twin's key, and
 * its key names its twin's rewrite. Everything here runs only on TCP packets carrying
 * SYN, FIN or RST, or on the member's first reply: established flows never get here.
 */
#ifndef VELOX_CT_H
#define VELOX_CT_H

#include "maps.h"
#include "parse.h"

#define CT_TCP_FIN 0x01
#define CT_TCP_RST 0x04
#define CT_KEEP 0   /* forward the packet by its entry */
#define CT_REOPEN 1 /* the old pair is gone: the packet opens a new flow */
/* last_seen_ns is rewritten at most this often, so busy flows do not dirty it every packet. */
#define CT_LAST_SEEN_STEP_NS 1000000ULL

/* True when a TCP packet on this entry needs conntrack work (a cheap test on the hot path). */
static __always_inline int ct_tcp_needs_work(const struct packet *pkt, const struct lb_flow *hit)
{
	return (pkt->tcp_flags & (TCP_FLAG_SYN_BIT | CT_TCP_FIN | CT_TCP_RST)) || hit->state == LB_CT_SYN_SENT;
}

/* The key of the twin of entry (key, f): the tuple of the packets f rewrites to, reversed. */
static __always_inline void ct_twin_key(const struct lb_flow_key *key, const struct lb_flow *f,
					struct lb_flow_key *twin)
{
	__builtin_memset(twin, 0, sizeof(*twin));
	__builtin_memcpy(twin->src, f->nat_dst, sizeof(twin->src));
	__builtin_memcpy(twin->dst, f->nat_src, sizeof(twin->dst));
	twin->sport = f->nat_dport;
	twin->dport = f->nat_sport;
	twin->proto = key->proto;
	twin->family = key->family;
}

/* The twin of entry (key, f), without last hop (the caller adds it to a reverse entry). */
static __always_inline void ct_twin_entry(const struct lb_flow_key *key, const struct lb_flow *f,
					  struct lb_flow *twin)
{
	__builtin_memset(twin, 0, sizeof(*twin));
	__builtin_memcpy(twin->nat_src, key->dst, sizeof(twin->nat_src));
	__builtin_memcpy(twin->nat_dst, key->src, sizeof(twin->nat_dst));
	twin->nat_sport = key->dport;
	twin->nat_dport = key->sport;
	twin->backend_id = f->backend_id;
	twin->vip_id = f->vip_id;
	twin->dir = f->dir == LB_DIR_FORWARD ? LB_DIR_REVERSE : LB_DIR_FORWARD;
	twin->state = f->state;
	twin->last_seen_ns = f->last_seen_ns;
}

/* Auto last hop of a reverse entry: the client's frame (pkt, arriving on ifindex) is where replies go. */
static __always_inline void ct_record_last_hop(struct lb_flow *rev, const struct packet *pkt, __u32 ifindex)
{
	__builtin_memcpy(rev->l2_dst, pkt->eth->h_source, ETH_ALEN);
	__builtin_memcpy(rev->l2_src, pkt->eth->h_dest, ETH_ALEN);
	rev->ifindex = ifindex;
}

/* True when `twin` (found at the twin key of `key`) rewrites back to `key`: the pair is whole. */
static __always_inline int ct_is_twin_of(const struct lb_flow_key *key, const struct lb_flow *twin)
{
	return twin->nat_sport == key->dport && twin->nat_dport == key->sport &&
	       twin->nat_src[0] == key->dst[0] && twin->nat_src[1] == key->dst[1] &&
	       twin->nat_src[2] == key->dst[2] && twin->nat_src[3] == key->dst[3] &&
	       twin->nat_dst[0] == key->src[0] && twin->nat_dst[1] == key->src[1] &&
	       twin->nat_dst[2] == key->src[2] && twin->nat_dst[3] == key->src[3];
}

/*
 * Moves the pair of the packet's entry to `state`: the entry hit, then its twin, which is
 * rebuilt when LRU eviction took it (unless another flow holds its key now). Called on
 * state changes only, so the lookup of the twin is not on the per-packet path.
 */
static __always_inline void ct_set_pair_state(const struct packet *pkt, struct lb_flow *hit, __u8 state,
					      __u32 ingress_ifindex)
{
	struct lb_flow_key tkey;
	struct lb_flow *twin, rebuilt;

	if (hit->state == state)
		return;
	hit->state = state;
	ct_twin_key(&pkt->key, hit, &tkey);
	twin = bpf_map_lookup_elem(&lb_flows, &tkey);
	if (twin) {
		if (ct_is_twin_of(&pkt->key, twin) && twin->state != state)
			twin->state = state;
		return;
	}
	ct_twin_entry(&pkt->key, hit, &rebuilt);
	if (hit->dir == LB_DIR_FORWARD)
		ct_record_last_hop(&rebuilt, pkt, ingress_ifindex);
	bpf_map_update_elem(&lb_flows, &tkey, &rebuilt, BPF_NOEXIST);
}

/* A forward entry's reverse twin, rebuilt from the client's packet when LRU eviction took it. */
static __always_inline void ct_repair_reverse(const struct packet *pkt, const struct lb_flow *fwd,
					      __u32 ingress_ifindex)
{
	struct lb_flow_key tkey;
	struct lb_flow rebuilt;

	ct_twin_key(&pkt->key, fwd, &tkey);
	if (bpf_map_lookup_elem(&lb_flows, &tkey))
		return;
	ct_twin_entry(&pkt->key, fwd, &rebuilt);
	ct_record_last_hop(&rebuilt, pkt, ingress_ifindex);
	bpf_map_update_elem(&lb_flows, &tkey, &rebuilt, BPF_NOEXIST);
}

/* Removes the entry at `key` and its twin (only if the twin is really its own). */
static __always_inline void ct_delete_pair(const struct lb_flow_key *key, const struct lb_flow *f)
{
	struct lb_flow_key tkey;
	struct lb_flow *twin;

	ct_twin_key(key, f, &tkey);
	twin = bpf_map_lookup_elem(&lb_flows, &tkey);
	if (twin && ct_is_twin_of(key, twin))
		bpf_map_delete_elem(&lb_flows, &tkey);
	bpf_map_delete_elem(&lb_flows, key);
}

/* True when the entry has been idle longer than its state allows (a timeout of 0 never expires). */
static __always_inline int ct_idle_expired(const struct lb_flow *f, const struct lb_vip_meta *vip, __u64 now)
{
	__u64 timeout_ms = f->state == LB_CT_SYN_SENT ? vip->syn_timeout_ms : vip->idle_timeout_ms;

	return timeout_ms && now > f->last_seen_ns && now - f->last_seen_ns > timeout_ms * 1000000ULL;
}

/* The VIP the packet is addressed to (its destination), or NULL. */
static __always_inline struct lb_vip_meta *ct_vip_of(const struct packet *pkt)
{
	struct lb_vip_key vkey;

	__builtin_memset(&vkey, 0, sizeof(vkey));
	__builtin_memcpy(vkey.addr, pkt->key.dst, sizeof(vkey.addr));
	vkey.port = pkt->key.dport;
	vkey.proto = pkt->key.proto;
	vkey.family = pkt->key.family;
	return bpf_map_lookup_elem(&lb_vips, &vkey);
}

/*
 * TCP state tracking of a packet that hit an entry (ct_tcp_needs_work said so). FIN or RST
 * closes the pair; the member's first reply establishes it; a client SYN on a closing or
 * idle-expired tuple (port reuse) removes the old pair and returns CT_REOPEN with *vip set,
 * while a retransmitted SYN repairs the reverse half if it was evicted.
 */
static __always_inline int ct_tcp(const struct packet *pkt, struct lb_flow *hit, __u32 ingress_ifindex,
				  __u64 now, struct lb_vip_meta **vip)
{
	__u8 flags = pkt->tcp_flags;

	if (flags & (CT_TCP_FIN | CT_TCP_RST)) {
		ct_set_pair_state(pkt, hit, LB_CT_CLOSING, ingress_ifindex);
		return CT_KEEP;
	}
	if (hit->dir == LB_DIR_REVERSE) {
		if (hit->state == LB_CT_SYN_SENT)
			ct_set_pair_state(pkt, hit, LB_CT_ESTABLISHED, ingress_ifindex);
		return CT_KEEP;
	}
	if (!(flags & TCP_FLAG_SYN_BIT) || (flags & TCP_FLAG_ACK_BIT))
		return CT_KEEP;
	*vip = ct_vip_of(pkt);
	if (*vip && (hit->state == LB_CT_CLOSING || ct_idle_expired(hit, *vip, now))) {
		ct_delete_pair(&pkt->key, hit);
		return CT_REOPEN;
	}
	ct_repair_reverse(pkt, hit, ingress_ifindex);
	return CT_KEEP;
}

#endif /* VELOX_CT_H */
