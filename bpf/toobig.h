/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * A packet too big for the route to its member (the member network's MTU is smaller than
 * the client's, as on a VXLAN tenant network): the client gets "fragmentation needed"
 * (IPv4 with DF) or "packet too big" (IPv6) from the VIP, quoting the packet as it sent
 * it, and lowers its path MTU, where dropping it would leave a black hole. XDP cannot
 * fragment, so an IPv4 packet without DF is dropped and counted; so is one whose quote
 * would need its IPv4 options or IPv6 extension headers (rare on packets this big).
 */
#ifndef VELOX_TOOBIG_H
#define VELOX_TOOBIG_H

#include <linux/if_ether.h>
#include "nat.h"
#include "parse.h"
#include "stats.h"

#define TOOBIG_QUOTED_L4 8 /* the L4 bytes quoted: ports, and enough for the sender to match them */
#define TOOBIG_TTL 64
#define IPV4_DF 0x4000
#define ICMP_DEST_UNREACH_TYPE 3
#define ICMP_FRAG_NEEDED_CODE 4
#define ICMPV6_PKT_TOOBIG_TYPE 2
#define TOOBIG_IP4_QUOTE (sizeof(struct iphdr) + TOOBIG_QUOTED_L4)
#define TOOBIG_IP6_QUOTE (sizeof(struct ipv6hdr) + TOOBIG_QUOTED_L4)

struct toobig_icmp {
	__u8 type;
	__u8 code;
	__sum16 check;
	__be32 rest; /* IPv4: 16 unused bits, then the next-hop MTU; IPv6: the MTU */
};

static __always_inline __u16 toobig_fold(__s64 sum)
{
	__u32 s = (__u32)sum;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* The frame becomes Ethernet + `outer` new bytes + `quote` bytes of the packet as received. */
static __always_inline int toobig_reshape(struct xdp_md *ctx, __u32 outer, __u32 quote)
{
	__u32 len = ctx->data_end - ctx->data;

	if (len < ETH_HLEN + quote || bpf_xdp_adjust_tail(ctx, (int)(ETH_HLEN + quote) - (int)len))
		return -1;
	return bpf_xdp_adjust_head(ctx, -(int)outer) ? -1 : 0;
}

static __always_inline void toobig_eth(struct ethhdr *eth, const __u8 *client_mac, const __u8 *our_mac,
				       __u16 proto)
{
	__builtin_memcpy(eth->h_dest, client_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, our_mac, ETH_ALEN);
	eth->h_proto = bpf_htons(proto);
}

static __always_inline int toobig4(struct xdp_md *ctx, struct packet *pkt, __u32 mtu)
{
	__u8 macs[2 * ETH_ALEN]; /* the client frame's destination (ours), then its source */
	__be32 client = pkt->key.src[0], vip = pkt->key.dst[0];
	struct toobig_icmp *icmp;
	struct ethhdr *eth;
	struct iphdr *ip;
	void *data_end;

	if (!(pkt->ip->frag_off & bpf_htons(IPV4_DF)) || pkt->ip->ihl != 5)
		return -1;
	__builtin_memcpy(macs, pkt->eth, sizeof(macs));
	if (toobig_reshape(ctx, sizeof(*ip) + sizeof(*icmp), TOOBIG_IP4_QUOTE))
		return -1;
	eth = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip = (void *)(eth + 1);
	icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) + TOOBIG_IP4_QUOTE > data_end)
		return -1;
	toobig_eth(eth, macs + ETH_ALEN, macs, ETH_P_IP);
	__builtin_memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->tos = 0xc0; /* internetwork control, as the kernel sends its ICMP errors */
	ip->tot_len = bpf_htons(sizeof(*ip) + sizeof(*icmp) + TOOBIG_IP4_QUOTE);
	ip->ttl = TOOBIG_TTL;
	ip->protocol = IPPROTO_ICMP;
	ip->saddr = vip;
	ip->daddr = client;
	ip->check = toobig_fold(bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0));
	icmp->type = ICMP_DEST_UNREACH_TYPE;
	icmp->code = ICMP_FRAG_NEEDED_CODE;
	icmp->check = 0;
	icmp->rest = bpf_htonl(mtu & 0xffff);
	icmp->check = toobig_fold(bpf_csum_diff(0, 0, (__be32 *)icmp, sizeof(*icmp) + TOOBIG_IP4_QUOTE, 0));
	return 0;
}

/* ICMPv6's checksum covers a pseudo-header: both addresses, the length and next header 58. */
struct toobig_pseudo6 {
	__be32 src[4];
	__be32 dst[4];
	__be32 len;
	__be32 nexthdr;
};

static __always_inline int toobig6(struct xdp_md *ctx, struct packet *pkt, __u32 mtu)
{
	__u8 macs[2 * ETH_ALEN];
	struct toobig_pseudo6 ph;
	struct toobig_icmp *icmp;
	struct ipv6hdr *ip6;
	struct ethhdr *eth;
	void *data_end;
	__s64 sum;

	if (pkt->l4 != (void *)(pkt->ip6 + 1))
		return -1;
	__builtin_memcpy(macs, pkt->eth, sizeof(macs));
	__builtin_memcpy(ph.src, pkt->key.dst, sizeof(ph.src));
	__builtin_memcpy(ph.dst, pkt->key.src, sizeof(ph.dst));
	ph.len = bpf_htonl(sizeof(*icmp) + TOOBIG_IP6_QUOTE);
	ph.nexthdr = bpf_htonl(IPPROTO_ICMPV6);
	if (toobig_reshape(ctx, sizeof(*ip6) + sizeof(*icmp), TOOBIG_IP6_QUOTE))
		return -1;
	eth = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip6 = (void *)(eth + 1);
	icmp = (void *)(ip6 + 1);
	if ((void *)(icmp + 1) + TOOBIG_IP6_QUOTE > data_end)
		return -1;
	toobig_eth(eth, macs + ETH_ALEN, macs, ETH_P_IPV6);
	__builtin_memset(ip6, 0, sizeof(*ip6));
	ip6->version = 6;
	ip6->payload_len = bpf_htons(sizeof(*icmp) + TOOBIG_IP6_QUOTE);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = TOOBIG_TTL;
	__builtin_memcpy(&ip6->saddr, ph.src, sizeof(ph.src));
	__builtin_memcpy(&ip6->daddr, ph.dst, sizeof(ph.dst));
	icmp->type = ICMPV6_PKT_TOOBIG_TYPE;
	icmp->code = 0;
	icmp->check = 0;
	icmp->rest = bpf_htonl(mtu);
	sum = bpf_csum_diff(0, 0, (__be32 *)&ph, sizeof(ph), 0);
	icmp->check = toobig_fold(bpf_csum_diff(0, 0, (__be32 *)icmp, sizeof(*icmp) + TOOBIG_IP6_QUOTE, (__u32)sum));
	return 0;
}

/*
 * The FIB said the rewritten packet exceeds `mtu` on its way to the member: undo the
 * rewrite and turn the frame into the ICMP error for the client, sent back out (XDP_TX).
 * Counted as ICMP_TOO_BIG, or as the drop DROP_TOO_BIG when no error can be sent.
 */
static __always_inline int too_big(struct xdp_md *ctx, struct packet *pkt, __u32 mtu, __u32 vip_id,
				   __u32 backend_id)
{
	__u32 len = pkt->len;
	int ret;

	nat_restore(pkt);
	ret = pkt->family == LB_FAMILY_IPV6 ? toobig6(ctx, pkt, mtu) : toobig4(ctx, pkt, mtu);
	if (ret)
		return drop(pkt, LB_EXIT_DROP_TOO_BIG, vip_id, backend_id);
	stats_drop_reason(vip_id, backend_id, LB_EXIT_ICMP_TOO_BIG);
	return stats_exit(LB_EXIT_ICMP_TOO_BIG, len, XDP_TX);
}

#endif /* VELOX_TOOBIG_H */
