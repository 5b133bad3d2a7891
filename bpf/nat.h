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

static __always_inline void nat_rewrite4(struct packet *pkt, const struct lb_flow *f)
{
	struct iphdr *ip = pkt->ip;
	__u16 *ttl_proto = (__u16 *)&ip->ttl;
	__u16 old_ttl_proto = *ttl_proto;
	__u32 l3, l4;

	l3 = csum_delta32(0, ip->saddr, f->nat_src[0]);
	l3 = csum_delta32(l3, ip->daddr, f->nat_dst[0]);
	l4 = csum_delta16(l3, pkt->ports[0], f->nat_sport);
	l4 = csum_delta16(l4, pkt->ports[1], f->nat_dport);

	ip->saddr = f->nat_src[0];
	ip->daddr = f->nat_dst[0];
	ip->ttl--;
	l3 = csum_delta16(l3, old_ttl_proto, *ttl_proto);
	ip->check = csum_apply(ip->check, l3);

	pkt->ports[0] = f->nat_sport;
	pkt->ports[1] = f->nat_dport;
	*pkt->l4_check = nat_l4_check(*pkt->l4_check, l4, pkt->key.proto, LB_FAMILY_IPV4);
}

/* IPv6 has no header checksum; the L4 one covers all 8 words of each address. */
static __always_inline void nat_rewrite6(struct packet *pkt, const struct lb_flow *f)
{
	struct ipv6hdr *ip6 = pkt->ip6;
	__u32 l4;

	l4 = csum_delta128(0, ip6->saddr.in6_u.u6_addr32, f->nat_src);
	l4 = csum_delta128(l4, ip6->daddr.in6_u.u6_addr32, f->nat_dst);
	l4 = csum_delta16(l4, pkt->ports[0], f->nat_sport);
	l4 = csum_delta16(l4, pkt->ports[1], f->nat_dport);

	__builtin_memcpy(&ip6->saddr, f->nat_src, sizeof(ip6->saddr));
	__builtin_memcpy(&ip6->daddr, f->nat_dst, sizeof(ip6->daddr));
	ip6->hop_limit--;

	pkt->ports[0] = f->nat_sport;
	pkt->ports[1] = f->nat_dport;
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
		nat_rewrite6(pkt, f);
	else
		nat_rewrite4(pkt, f);
}

#endif /* VELOX_NAT_H */
