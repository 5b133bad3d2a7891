/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* The full-NAT rewrite of one packet: addresses, ports, TTL / hop limit, and their checksums. */
#ifndef VELOX_NAT_H
#define VELOX_NAT_H

#include "csum.h"
#include "parse.h"

/*
 * The new L4 checksum of a rewritten TCP or UDP packet, given the pseudo-header and port
 * delta. UDP over IPv4 may send 0 ("no checksum"), which stays 0; over IPv6 a checksum is
 * mandatory, so one is always written. A computed 0 is sent as 0xffff (RFC 768).
 */
static __always_inline __u16 nat_l4_check(__u16 check, __u32 delta, __u8 proto, __u32 family)
{
	if (proto == IPPROTO_TCP)
		return csum_apply(check, delta);
	if (check == 0 && family == LB_FAMILY_IPV4)
		return 0;
	check = csum_apply(check, delta);
	return check ? check : 0xffff;
}

/*
 * Rewrites addresses and ports to (src, dst, sport, dport) and moves the TTL by ttl_step,
 * with every checksum: -1 forwards the packet, +1 restores what an earlier -1 took.
 */
static __always_inline void nat_rewrite4_to(struct packet *pkt, __be32 src, __be32 dst, __be16 sport, __be16 dport,
					    int ttl_step)
{
	struct iphdr *ip = pkt->ip;
	__u16 *ttl_proto = (__u16 *)&ip->ttl;
	__u16 old_ttl_proto = *ttl_proto;
	__u32 l3, l4;

	l3 = csum_delta32(0, ip->saddr, src);
	l3 = csum_delta32(l3, ip->daddr, dst);
	l4 = csum_delta16(l3, pkt->ports[0], sport);
	l4 = csum_delta16(l4, pkt->ports[1], dport);

	ip->saddr = src;
	ip->daddr = dst;
	ip->ttl += ttl_step;
	l3 = csum_delta16(l3, old_ttl_proto, *ttl_proto);
	ip->check = csum_apply(ip->check, l3);

	pkt->ports[0] = sport;
	pkt->ports[1] = dport;
	*pkt->l4_check = nat_l4_check(*pkt->l4_check, l4, pkt->key.proto, LB_FAMILY_IPV4);
}

/* IPv6 has no header checksum; the L4 one covers all 8 words of each address. */
static __always_inline void nat_rewrite6_to(struct packet *pkt, const __be32 *src, const __be32 *dst, __be16 sport,
					    __be16 dport, int ttl_step)
{
	struct ipv6hdr *ip6 = pkt->ip6;
	__u32 l4;

	l4 = csum_delta128(0, ip6->saddr.in6_u.u6_addr32, src);
	l4 = csum_delta128(l4, ip6->daddr.in6_u.u6_addr32, dst);
	l4 = csum_delta16(l4, pkt->ports[0], sport);
	l4 = csum_delta16(l4, pkt->ports[1], dport);

	__builtin_memcpy(&ip6->saddr, src, sizeof(ip6->saddr));
	__builtin_memcpy(&ip6->daddr, dst, sizeof(ip6->daddr));
	ip6->hop_limit += ttl_step;

	pkt->ports[0] = sport;
	pkt->ports[1] = dport;
	*pkt->l4_check = nat_l4_check(*pkt->l4_check, l4, pkt->key.proto, LB_FAMILY_IPV6);
}

/*
 * Rewrites the parsed packet as *f says and decrements the TTL or hop limit (the caller
 * checked pkt_ttl_expiring()). The L4 checksum covers the pseudo-header, so it takes the
 * address delta plus the port delta.
 */
static __always_inline void nat_rewrite(struct packet *pkt, const struct lb_flow *f)
{
	if (pkt->family == LB_FAMILY_IPV6)
		nat_rewrite6_to(pkt, f->nat_src, f->nat_dst, f->nat_sport, f->nat_dport, -1);
	else
		nat_rewrite4_to(pkt, f->nat_src[0], f->nat_dst[0], f->nat_sport, f->nat_dport, -1);
}

/* Undoes nat_rewrite(): the packet as it arrived, from its flow key (to quote it in an error). */
static __always_inline void nat_restore(struct packet *pkt)
{
	if (pkt->family == LB_FAMILY_IPV6)
		nat_rewrite6_to(pkt, pkt->key.src, pkt->key.dst, pkt->key.sport, pkt->key.dport, 1);
	else
		nat_rewrite4_to(pkt, pkt->key.src[0], pkt->key.dst[0], pkt->key.sport, pkt->key.dport, 1);
}

#endif /* VELOX_NAT_H */
