/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* The full-NAT rewrite of one packet: addresses, ports, TTL, and their checksums. */
#ifndef VELOX_NAT_H
#define VELOX_NAT_H

#include "csum.h"
#include "parse.h"

/*
 * Rewrites the parsed packet as *f says and decrements the TTL (the caller checked it
 * is above 1). The L4 checksum covers the pseudo-header, so it takes the address delta
 * plus the port delta. A UDP checksum of 0 means "none" and stays 0; a computed 0
 * is sent as 0xffff (RFC 768).
 */
static __always_inline void nat_rewrite(struct packet *pkt, const struct lb_flow *f)
{
	struct iphdr *ip = pkt->ip;
	__u16 *ttl_proto = (__u16 *)&ip->ttl;
	__u16 old_ttl_proto = *ttl_proto;
	__u32 l3, l4;
	__u16 check;

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
	if (pkt->key.proto == IPPROTO_TCP) {
		*pkt->l4_check = csum_apply(*pkt->l4_check, l4);
	} else if (*pkt->l4_check != 0) {
		check = csum_apply(*pkt->l4_check, l4);
		*pkt->l4_check = check ? check : 0xffff;
	}
}

#endif /* VELOX_NAT_H */
