/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Member selection for a new flow: Octavia's lb_algorithm realised on the VIP's weighted
 * Maglev ring (lb_rings), chosen by lb_vip_meta.flags, first match wins:
 *   LB_VIP_F_HASH_SRC_IP  SOURCE_IP, or SOURCE_IP session persistence: the source address
 *                         alone picks the slot (persistence must hold whatever the algorithm).
 *   LB_VIP_F_ROUND_ROBIN  the next slot of the ring, per CPU (the ring holds each member in
 *                         proportion to its weight, so walking it is weighted round robin).
 *   LB_VIP_F_LEAST_CONN   of the slots two hashes of the 5-tuple pick, the member with fewer
 *                         connections per weight (lb_backend_active + lb_backend_opened).
 *   none                  SOURCE_IP_PORT: the 5-tuple picks the slot.
 */
#ifndef VELOX_SELECT_H
#define VELOX_SELECT_H

#include "maps.h"
#include "parse.h"
#include "stats.h"

#define SELECT_SEED_RING 0
#define SELECT_SEED_SECOND 0x2c1b3c6d /* LEAST_CONN's second candidate */
#define SELECT_RR_CPU_STRIDE 4093     /* prime: each CPU starts round robin elsewhere in the ring */
#define JHASH_INITVAL 0xdeadbeef

static __always_inline __u32 rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> ((-shift) & 31));
}

/* __jhash_final of the kernel's jhash.h. */
static __always_inline __u32 jhash_final(__u32 a, __u32 b, __u32 c)
{
	c ^= b; c -= rol32(b, 14);
	a ^= c; a -= rol32(c, 11);
	b ^= a; b -= rol32(a, 25);
	c ^= b; c -= rol32(b, 16);
	a ^= c; a -= rol32(c, 4);
	b ^= a; b -= rol32(a, 14);
	c ^= b; c -= rol32(b, 24);
	return c;
}

/*
 * jhash_3words over addresses, ports and protocol. IPv6 addresses are folded to one word
 * by XOR first (IPv4 ones have words 1..3 zero, so fold to themselves).
 */
static __always_inline __u32 flow_hash(const struct lb_flow_key *k, __u32 seed)
{
	__u32 init = seed + JHASH_INITVAL + (3 << 2);
	__u32 a = (k->src[0] ^ k->src[1] ^ k->src[2] ^ k->src[3]) + init;
	__u32 b = (k->dst[0] ^ k->dst[1] ^ k->dst[2] ^ k->dst[3]) + init;
	__u32 c = ((((__u32)k->sport << 16) | k->dport) ^ k->proto) + init;

	return jhash_final(a, b, c);
}

/* jhash2 of the kernel over the four words of the source address (IPv4: 3 of them 0). */
static __always_inline __u32 source_hash(const struct lb_flow_key *k)
{
	__u32 a, b, c;

	a = b = c = JHASH_INITVAL + (4 << 2) + SELECT_SEED_RING;
	a += k->src[0];
	b += k->src[1];
	c += k->src[2];
	/* __jhash_mix */
	a -= c; a ^= rol32(c, 4);  c += b;
	b -= a; b ^= rol32(a, 6);  a += c;
	c -= b; c ^= rol32(b, 8);  b += a;
	a -= c; a ^= rol32(c, 16); c += b;
	b -= a; b ^= rol32(a, 19); a += c;
	c -= b; c ^= rol32(b, 4);  b += a;
	a += k->src[3];
	return jhash_final(a, b, c);
}

/* The usable member in ring slot `slot` of the VIP, or NULL (empty slot, disabled, wrong family). */
static __always_inline struct lb_backend *select_slot(const struct packet *pkt, __u32 ring_id, __u32 slot,
						      __u32 *backend_id)
{
	__u32 idx = ring_id * LB_RING_SIZE + slot;
	__u32 *entry = bpf_map_lookup_elem(&lb_rings, &idx);
	struct lb_backend *be;

	if (!entry || *entry == 0)
		return NULL;
	*backend_id = *entry - 1;
	be = bpf_map_lookup_elem(&lb_backends, backend_id);
	if (!be || be->family != pkt->key.family || !(be->flags & LB_BACKEND_F_ENABLED))
		return NULL;
	return be;
}

/* The next round-robin slot of this CPU for the VIP. */
static __always_inline __u32 select_rr_slot(const struct lb_vip_meta *vip)
{
	__u32 vip_id = vip->vip_id;
	__u32 *pos = bpf_map_lookup_elem(&lb_rr, &vip_id);
	__u32 slot;

	if (!pos)
		return 0;
	slot = (*pos + bpf_get_smp_processor_id() * SELECT_RR_CPU_STRIDE) % LB_RING_SIZE;
	*pos = *pos + 1 >= LB_RING_SIZE ? 0 : *pos + 1;
	return slot;
}

/* True when member b carries fewer connections per weight than member a (a weight of 0 drains). */
static __always_inline int select_lighter(const struct lb_backend *a, __u32 a_id, const struct lb_backend *b,
					  __u32 b_id)
{
	if (a_id == b_id || b->weight == 0)
		return 0;
	if (a->weight == 0)
		return 1;
	/* load_b / w_b < load_a / w_a, without division; loads and weights stay far below 2^32. */
	return stats_open_estimate(&lb_backend_active, &lb_backend_opened, b_id) * a->weight <
	       stats_open_estimate(&lb_backend_active, &lb_backend_opened, a_id) * b->weight;
}

/* The member for a new flow of the packet, or NULL when the VIP has none usable. */
static __always_inline struct lb_backend *select_backend(const struct packet *pkt, const struct lb_vip_meta *vip,
							  __u32 *backend_id)
{
	__u32 flags = vip->flags, ring_id = vip->ring_id, second_id = 0, slot;
	struct lb_backend *be, *second;

	if (ring_id >= LB_MAX_RINGS)
		return NULL;
	if (flags & LB_VIP_F_HASH_SRC_IP)
		slot = source_hash(&pkt->key) % LB_RING_SIZE;
	else if (flags & LB_VIP_F_ROUND_ROBIN)
		slot = select_rr_slot(vip);
	else
		slot = flow_hash(&pkt->key, SELECT_SEED_RING) % LB_RING_SIZE;
	be = select_slot(pkt, ring_id, slot, backend_id);
	if (!be || !(flags & LB_VIP_F_LEAST_CONN) || (flags & (LB_VIP_F_HASH_SRC_IP | LB_VIP_F_ROUND_ROBIN)))
		return be;

	slot = flow_hash(&pkt->key, SELECT_SEED_SECOND) % LB_RING_SIZE;
	second = select_slot(pkt, ring_id, slot, &second_id);
	if (second && select_lighter(be, *backend_id, second, second_id)) {
		*backend_id = second_id;
		return second;
	}
	return be;
}

#endif /* VELOX_SELECT_H */
