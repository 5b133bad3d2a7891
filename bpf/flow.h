/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Conntrack for new flows: pick the member from the VIP's Maglev ring, allocate a SNAT
 * port by bounded probing, record the reverse then the forward entry in lb_flows.
 */
#ifndef VELOX_FLOW_H
#define VELOX_FLOW_H

#include "maps.h"
#include "parse.h"

#define FLOW_OK (-1)
#define FLOW_SEED_RING 0
#define FLOW_SEED_SNAT 0x5eed5eed

static __always_inline __u32 rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> ((-shift) & 31));
}

/* jhash_3words (the kernel's jhash.h) over addresses, ports and protocol. */
static __always_inline __u32 flow_hash(const struct lb_flow_key *k, __u32 seed)
{
	__u32 init = seed + 0xdeadbeef + (3 << 2);
	__u32 a = k->src[0] + init;
	__u32 b = k->dst[0] + init;
	__u32 c = ((((__u32)k->sport << 16) | k->dport) ^ k->proto) + init;

	c ^= b; c -= rol32(b, 14);
	a ^= c; a -= rol32(c, 11);
	b ^= a; b -= rol32(a, 25);
	c ^= b; c -= rol32(b, 16);
	a ^= c; a -= rol32(c, 4);
	b ^= a; b -= rol32(a, 14);
	c ^= b; c -= rol32(b, 24);
	return c;
}

/* The ring entry for this flow: NULL-safe, returns the backend or NULL when there is none. */
static __always_inline struct lb_backend *flow_pick_backend(const struct packet *pkt,
							     const struct lb_vip_meta *vip, __u32 *backend_id)
{
	__u32 idx, *entry;
	struct lb_backend *be;

	if (vip->ring_id >= LB_MAX_RINGS)
		return NULL;
	idx = vip->ring_id * LB_RING_SIZE + flow_hash(&pkt->key, FLOW_SEED_RING) % LB_RING_SIZE;
	entry = bpf_map_lookup_elem(&lb_rings, &idx);
	if (!entry || *entry == 0)
		return NULL;
	*backend_id = *entry - 1;
	be = bpf_map_lookup_elem(&lb_backends, backend_id);
	if (!be || be->family != LB_FAMILY_IPV4 || !(be->flags & LB_BACKEND_F_ENABLED))
		return NULL;
	return be;
}

/*
 * Creates both conntrack entries for the packet's flow and fills *fwd with the forward
 * rewrite. Returns FLOW_OK or the exit reason; fwd->backend_id is set as soon as the
 * member is known, so the caller can count a drop against it. The reverse entry records
 * the client's frame (MACs, ingress interface) for auto last hop; the forward entry
 * leaves them 0, as members have neighbour entries the agent maintains.
 */
static __always_inline int flow_create(const struct packet *pkt, const struct lb_vip_meta *vip,
				       __u32 ingress_ifindex, struct lb_flow *fwd)
{
	struct lb_flow_key rkey;
	struct lb_flow rev;
	struct lb_settings *set;
	struct lb_backend *be;
	__u32 zero = 0, backend_id = 0, range, port_hash, i;
	__u64 now = bpf_ktime_get_ns();

	be = flow_pick_backend(pkt, vip, &backend_id);
	if (!be)
		return LB_EXIT_DROP_NO_BACKEND;
	fwd->backend_id = backend_id;

	set = bpf_map_lookup_elem(&lb_settings, &zero);
	if (!set || set->snat_port_min == 0 || set->snat_port_max < set->snat_port_min)
		return LB_EXIT_DROP_SNAT_FULL;
	range = (__u32)set->snat_port_max - set->snat_port_min + 1;

	__builtin_memset(&rkey, 0, sizeof(rkey));
	rkey.src[0] = be->addr[0];
	rkey.dst[0] = be->snat[0];
	rkey.sport = be->port;
	rkey.proto = pkt->key.proto;
	rkey.family = LB_FAMILY_IPV4;

	__builtin_memset(&rev, 0, sizeof(rev));
	rev.nat_src[0] = pkt->key.dst[0];
	rev.nat_dst[0] = pkt->key.src[0];
	rev.nat_sport = pkt->key.dport;
	rev.nat_dport = pkt->key.sport;
	rev.backend_id = backend_id;
	rev.vip_id = vip->vip_id;
	rev.dir = LB_DIR_REVERSE;
	__builtin_memcpy(rev.l2_dst, pkt->eth->h_source, ETH_ALEN);
	__builtin_memcpy(rev.l2_src, pkt->eth->h_dest, ETH_ALEN);
	rev.ifindex = ingress_ifindex;
	rev.last_seen_ns = now;

	port_hash = flow_hash(&pkt->key, FLOW_SEED_SNAT);
	for (i = 0; i < LB_SNAT_PROBES; i++) {
		rkey.dport = bpf_htons((__u16)(set->snat_port_min + (port_hash + i) % range));
		if (bpf_map_update_elem(&lb_flows, &rkey, &rev, BPF_NOEXIST) == 0)
			break;
	}
	if (i == LB_SNAT_PROBES)
		return LB_EXIT_DROP_SNAT_FULL;

	__builtin_memset(fwd, 0, sizeof(*fwd));
	fwd->nat_src[0] = be->snat[0];
	fwd->nat_dst[0] = be->addr[0];
	fwd->nat_sport = rkey.dport;
	fwd->nat_dport = be->port;
	fwd->backend_id = backend_id;
	fwd->vip_id = vip->vip_id;
	fwd->dir = LB_DIR_FORWARD;
	fwd->last_seen_ns = now;
	if (bpf_map_update_elem(&lb_flows, &pkt->key, fwd, BPF_ANY) != 0) {
		/* Do not leave a reverse entry without its forward twin holding the port. */
		bpf_map_delete_elem(&lb_flows, &rkey);
		return LB_EXIT_DROP_SNAT_FULL;
	}
	return FLOW_OK;
}

#endif /* VELOX_FLOW_H */
