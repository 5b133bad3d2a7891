/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * ICMP and ICMPv6: echo requests to a VIP address are answered here; errors about a
 * NAT'ed flow (unreachable, fragmentation needed / packet too big, time exceeded) are
 * translated, inner and outer headers, and sent to the other side of the flow, so path
 * MTU discovery works through the balancer. Everything else (neighbour discovery, MLD,
 * echo to the amphora's own addresses, errors about unknown flows) goes to the kernel.
 */
#ifndef VELOX_ICMP_H
#define VELOX_ICMP_H

#include "csum.h"
#include "fwd.h"
#include "maps.h"
#include "nat.h"
#include "parse.h"
#include "stats.h"

#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMPV6_DEST_UNREACH 1
#define ICMPV6_PKT_TOOBIG 2
#define ICMPV6_TIME_EXCEED 3
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129
#define ICMP_ECHO_TTL 64
#define TCP_CHECK_OFFSET 16
#define UDP_CHECK_OFFSET 6

static __always_inline int icmp_pass(const struct packet *pkt)
{
	return stats_exit(LB_EXIT_PASS_ICMP, pkt->len, XDP_PASS);
}

/* Echo request to an enabled VIP address: turned around in place and sent back (XDP_TX). */
static __always_inline int icmp_echo(struct packet *pkt, __u8 reply_type)
{
	struct lb_vip_key vkey;
	struct lb_vip_meta *vip;
	__u16 *type_code = pkt->l4;
	__u16 old_type_code = *type_code;
	__u8 mac[ETH_ALEN];

	__builtin_memset(&vkey, 0, sizeof(vkey));
	__builtin_memcpy(vkey.addr, pkt->key.dst, sizeof(vkey.addr));
	vkey.proto = pkt->key.proto;
	vkey.family = pkt->key.family;
	vip = bpf_map_lookup_elem(&lb_vips, &vkey);
	if (!vip || !(vip->flags & LB_VIP_F_ENABLED))
		return icmp_pass(pkt);

	/* Swapping the addresses leaves every sum alone (ICMPv6's pseudo-header too); the type does not. */
	*(__u8 *)pkt->l4 = reply_type;
	*pkt->l4_check = csum_apply(*pkt->l4_check, csum_delta16(0, old_type_code, *type_code));

	__builtin_memcpy(mac, pkt->eth->h_source, ETH_ALEN);
	__builtin_memcpy(pkt->eth->h_source, pkt->eth->h_dest, ETH_ALEN);
	__builtin_memcpy(pkt->eth->h_dest, mac, ETH_ALEN);
	if (pkt->family == LB_FAMILY_IPV6) {
		struct ipv6hdr *ip6 = pkt->ip6;

		__builtin_memcpy(&ip6->saddr, pkt->key.dst, sizeof(ip6->saddr));
		__builtin_memcpy(&ip6->daddr, pkt->key.src, sizeof(ip6->daddr));
		ip6->hop_limit = ICMP_ECHO_TTL;
	} else {
		struct iphdr *ip = pkt->ip;
		__u16 *ttl_proto = (__u16 *)&ip->ttl;
		__u16 old_ttl_proto = *ttl_proto;

		ip->saddr = pkt->key.dst[0];
		ip->daddr = pkt->key.src[0];
		ip->ttl = ICMP_ECHO_TTL;
		ip->check = csum_apply(ip->check, csum_delta16(0, old_ttl_proto, *ttl_proto));
	}
	return stats_exit(LB_EXIT_ICMP_ECHO_REPLY, pkt->len, XDP_TX);
}

/*
 * The quoted packet's TCP or UDP checksum, updated by `delta` when the quote reaches it
 * (`quoted` L4 bytes; routers may quote only 8, which hold UDP's but not TCP's). Returns
 * the ICMP checksum delta grown by that field's change.
 */
static __always_inline __u32 icmp_inner_l4_check(void *in_l4, __u32 quoted, __u8 proto, __u32 family,
						 __u32 delta, __u32 icmp, void *data_end)
{
	__u32 off = proto == IPPROTO_TCP ? TCP_CHECK_OFFSET : UDP_CHECK_OFFSET;
	__u16 *check = in_l4 + off;
	__u16 old;

	if (quoted < off + sizeof(*check) || (void *)(check + 1) > data_end)
		return icmp;
	old = *check;
	*check = nat_l4_check(old, delta, proto, family);
	return csum_delta16(icmp, old, *check);
}

/*
 * The translated error leaves towards the flow's other side: to the client's last hop when
 * it came from the member side (a reverse entry), else by the FIB. Counted as a packet of
 * the flow, in its direction.
 */
static __always_inline int icmp_error_forward(struct xdp_md *ctx, struct packet *pkt, const struct lb_flow *f)
{
	int ret;

	stats_packet(&lb_vip_stats, f->vip_id, f->dir, pkt->len);
	stats_packet(&lb_backend_stats, f->backend_id, f->dir, pkt->len);
	if (f->dir == LB_DIR_REVERSE) {
		ret = last_hop(ctx, pkt, f);
		if (ret >= 0)
			return ret;
	}
	return fib_forward(ctx, pkt, 0, 0, f->vip_id, f->backend_id);
}

/*
 * Either way the error quotes a packet we sent, so the quote reversed is the key of the
 * flow entry that translates the other side's packets: the reverse entry (member side:
 * quote SNAT -> member) or the forward one (client side: quote VIP -> client). With f that
 * entry, the quote becomes what the other side sent (f->nat_dst -> f->nat_src, ports
 * likewise) and the error goes from f->nat_src to f->nat_dst.
 */
static __always_inline int icmp_error4(struct xdp_md *ctx, struct packet *pkt)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = pkt->ip;
	struct iphdr *in = pkt->l4 + ICMP_HDR_LEN;
	__u32 quoted = pkt->l4_len - ICMP_HDR_LEN, in_ihl, l3, l4, icmp;
	__u16 *ttl_proto = (__u16 *)&ip->ttl;
	__u16 old_ttl_proto, old_check;
	struct lb_flow_key key;
	struct lb_flow *f;
	__be16 *in_ports;

	if ((void *)(in + 1) > data_end || quoted < sizeof(*in))
		return icmp_pass(pkt);
	if (in->version != 4 || in->ihl < 5 || (in->frag_off & bpf_htons(IPV4_OFFSET)))
		return icmp_pass(pkt);
	if ((in->protocol != IPPROTO_TCP && in->protocol != IPPROTO_UDP) || in->saddr != ip->daddr)
		return icmp_pass(pkt);
	in_ihl = in->ihl * 4;
	in_ports = (void *)in + in_ihl;
	if ((void *)(in_ports + 4) > data_end || quoted < in_ihl + 8)
		return icmp_pass(pkt);

	__builtin_memset(&key, 0, sizeof(key));
	key.src[0] = in->daddr;
	key.dst[0] = in->saddr;
	key.sport = in_ports[1];
	key.dport = in_ports[0];
	key.proto = in->protocol;
	key.family = LB_FAMILY_IPV4;
	f = bpf_map_lookup_elem(&lb_flows, &key);
	if (!f)
		return icmp_pass(pkt);
	if (ip->ttl <= 1)
		return stats_exit(LB_EXIT_PASS_TTL, pkt->len, XDP_PASS);

	/* The quote: addresses, ports, IP checksum, L4 checksum; all of it is ICMP payload. */
	l3 = csum_delta32(0, in->saddr, f->nat_dst[0]);
	l3 = csum_delta32(l3, in->daddr, f->nat_src[0]);
	l4 = csum_delta16(l3, in_ports[0], f->nat_dport);
	l4 = csum_delta16(l4, in_ports[1], f->nat_sport);
	old_check = in->check;
	in->check = csum_apply(old_check, l3);
	icmp = csum_delta16(l4, old_check, in->check);
	in->saddr = f->nat_dst[0];
	in->daddr = f->nat_src[0];
	in_ports[0] = f->nat_dport;
	in_ports[1] = f->nat_sport;
	icmp = icmp_inner_l4_check(in_ports, quoted - in_ihl, in->protocol, LB_FAMILY_IPV4, l4, icmp, data_end);
	*pkt->l4_check = csum_apply(*pkt->l4_check, icmp);

	old_ttl_proto = *ttl_proto;
	l3 = csum_delta32(0, ip->saddr, f->nat_src[0]);
	l3 = csum_delta32(l3, ip->daddr, f->nat_dst[0]);
	ip->saddr = f->nat_src[0];
	ip->daddr = f->nat_dst[0];
	ip->ttl--;
	l3 = csum_delta16(l3, old_ttl_proto, *ttl_proto);
	ip->check = csum_apply(ip->check, l3);
	return icmp_error_forward(ctx, pkt, f);
}

/* As icmp_error4; the quote must be TCP or UDP right after its IPv6 header. */
static __always_inline int icmp_error6(struct xdp_md *ctx, struct packet *pkt)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = pkt->ip6;
	struct ipv6hdr *in = pkt->l4 + ICMP_HDR_LEN;
	__u32 quoted = pkt->l4_len - ICMP_HDR_LEN, l4, icmp;
	__u32 *in_src, *in_dst, *out_dst;
	struct lb_flow_key key;
	struct lb_flow *f;
	__be16 *in_ports;

	if ((void *)(in + 1) > data_end || quoted < sizeof(*in) + 8)
		return icmp_pass(pkt);
	in_ports = (void *)(in + 1);
	if ((void *)(in_ports + 4) > data_end)
		return icmp_pass(pkt);
	if (in->version != 6 || (in->nexthdr != IPPROTO_TCP && in->nexthdr != IPPROTO_UDP))
		return icmp_pass(pkt);
	in_src = in->saddr.in6_u.u6_addr32;
	in_dst = in->daddr.in6_u.u6_addr32;
	out_dst = ip6->daddr.in6_u.u6_addr32;
	if (in_src[0] != out_dst[0] || in_src[1] != out_dst[1] || in_src[2] != out_dst[2] ||
	    in_src[3] != out_dst[3])
		return icmp_pass(pkt);

	__builtin_memset(&key, 0, sizeof(key));
	__builtin_memcpy(key.src, in_dst, sizeof(key.src));
	__builtin_memcpy(key.dst, in_src, sizeof(key.dst));
	key.sport = in_ports[1];
	key.dport = in_ports[0];
	key.proto = in->nexthdr;
	key.family = LB_FAMILY_IPV6;
	f = bpf_map_lookup_elem(&lb_flows, &key);
	if (!f)
		return icmp_pass(pkt);
	if (ip6->hop_limit <= 1)
		return stats_exit(LB_EXIT_PASS_TTL, pkt->len, XDP_PASS);

	l4 = csum_delta128(0, in_src, f->nat_dst);
	l4 = csum_delta128(l4, in_dst, f->nat_src);
	l4 = csum_delta16(l4, in_ports[0], f->nat_dport);
	l4 = csum_delta16(l4, in_ports[1], f->nat_sport);
	__builtin_memcpy(in_src, f->nat_dst, sizeof(in->saddr));
	__builtin_memcpy(in_dst, f->nat_src, sizeof(in->daddr));
	in_ports[0] = f->nat_dport;
	in_ports[1] = f->nat_sport;
	icmp = icmp_inner_l4_check(in_ports, quoted - sizeof(*in), in->nexthdr, LB_FAMILY_IPV6, l4, l4,
				   data_end);
	/* ICMPv6's checksum also covers the outer addresses (pseudo-header). */
	icmp = csum_delta128(icmp, ip6->saddr.in6_u.u6_addr32, f->nat_src);
	icmp = csum_delta128(icmp, out_dst, f->nat_dst);
	*pkt->l4_check = csum_apply(*pkt->l4_check, icmp);

	__builtin_memcpy(&ip6->saddr, f->nat_src, sizeof(ip6->saddr));
	__builtin_memcpy(&ip6->daddr, f->nat_dst, sizeof(ip6->daddr));
	ip6->hop_limit--;
	return icmp_error_forward(ctx, pkt, f);
}

/*
 * Entry point for PARSE_ICMP packets; returns the XDP action, counted by exit reason.
 * Neighbour discovery (ICMPv6 133-137) and everything not handled here pass.
 */
static __always_inline int icmp_process(struct xdp_md *ctx, struct packet *pkt)
{
	__u8 type = *(__u8 *)pkt->l4;

	if (pkt->family == LB_FAMILY_IPV6) {
		if (type == ICMPV6_ECHO_REQUEST)
			return icmp_echo(pkt, ICMPV6_ECHO_REPLY);
		if (type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG || type == ICMPV6_TIME_EXCEED)
			return icmp_error6(ctx, pkt);
		return icmp_pass(pkt);
	}
	if (type == ICMP_ECHO)
		return icmp_echo(pkt, ICMP_ECHOREPLY);
	if (type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED)
		return icmp_error4(ctx, pkt);
	return icmp_pass(pkt);
}

#endif /* VELOX_ICMP_H */
