/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Header parsing: Ethernet -> IPv4 (options honoured) or IPv6 (extension headers walked)
 * -> TCP, UDP, ICMP or ICMPv6, with every bound checked. The result is an exit reason
 * (the packet is not ours or is broken), PARSE_OK (TCP/UDP) or PARSE_ICMP, with a
 * struct packet holding pointers to the headers and the 5-tuple as a flow key.
 */
#ifndef VELOX_PARSE_H
#define VELOX_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "lb.h"

#define PARSE_OK (-1)	/* TCP or UDP: the balancer's */
#define PARSE_ICMP (-2) /* ICMP or ICMPv6: for icmp_process() */
#define IPV4_MF 0x2000
#define IPV4_OFFSET 0x1fff
#define ICMP_HDR_LEN 8		/* type, code, checksum, 4 bytes of rest-of-header */
#define IPV6_MAX_EXT_HDRS 6	/* HBH, DST, routing, AH, DST with room to spare; more goes to the kernel */

/* IPv6 next-header values (not all in the BPF target's linux/in.h) */
#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH 51
#define NEXTHDR_DEST 60
#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif

/*
 * `family` says which of ip / ip6 is set (the other is NULL): code branches on it, and
 * the verifier follows that branch, as it tracks the constant stored on each path.
 */
struct packet {
	struct ethhdr *eth;
	struct iphdr *ip;	/* IPv4 header, or NULL */
	struct ipv6hdr *ip6;	/* IPv6 header, or NULL */
	void *l4;		/* TCP, UDP, ICMP or ICMPv6 header */
	__be16 *ports;		/* [0] source, [1] destination: same place in TCP and UDP (ICMP: its first 4 bytes) */
	__u16 *l4_check;	/* TCP, UDP, ICMP or ICMPv6 checksum field */
	__u32 len;		/* frame length, for byte counters */
	__u32 l4_len;		/* bytes from the L4 header to the end of the IP payload (not of the frame) */
	__u32 family;		/* LB_FAMILY_IPV4 or LB_FAMILY_IPV6 */
	__u8 tcp_flags;		/* byte 13 of the TCP header; 0 otherwise */
	struct lb_flow_key key; /* ICMP: addresses and proto, ports 0 */
};

#define TCP_FLAG_SYN_BIT 0x02
#define TCP_FLAG_ACK_BIT 0x10

/* Checks the L4 header at l4 (l4_len bytes per the IP header) and fills the L4 fields of *pkt. */
static __always_inline int parse_l4(struct packet *pkt, void *l4, __u32 l4_len, __u8 proto, __u8 icmp_proto,
				    void *data_end)
{
	int ret = PARSE_OK;

	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end || l4_len < sizeof(*tcp))
			return LB_EXIT_DROP_MALFORMED;
		if (tcp->doff < 5 || tcp->doff * 4 > l4_len)
			return LB_EXIT_DROP_MALFORMED;
		pkt->l4_check = &tcp->check;
		pkt->tcp_flags = ((__u8 *)tcp)[13];
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end || l4_len < sizeof(*udp))
			return LB_EXIT_DROP_MALFORMED;
		if (bpf_ntohs(udp->len) < sizeof(*udp) || bpf_ntohs(udp->len) > l4_len)
			return LB_EXIT_DROP_MALFORMED;
		pkt->l4_check = &udp->check;
		pkt->tcp_flags = 0;
	} else if (proto == icmp_proto) {
		if (l4 + ICMP_HDR_LEN > data_end || l4_len < ICMP_HDR_LEN)
			return LB_EXIT_DROP_MALFORMED;
		pkt->l4_check = l4 + 2;
		pkt->tcp_flags = 0;
		ret = PARSE_ICMP;
	} else {
		return LB_EXIT_PASS_NOT_L4;
	}
	pkt->l4 = l4;
	pkt->ports = l4;
	pkt->l4_len = l4_len;
	return ret;
}

static __always_inline void parse_key_ports(struct packet *pkt, __u8 proto, int ret)
{
	pkt->key.proto = proto;
	if (ret == PARSE_OK) {
		pkt->key.sport = pkt->ports[0];
		pkt->key.dport = pkt->ports[1];
	}
}

static __always_inline int parse_ipv4(struct packet *pkt, struct iphdr *ip, void *data_end)
{
	__u32 ihl, tot_len;
	int ret;

	if ((void *)(ip + 1) > data_end)
		return LB_EXIT_DROP_MALFORMED;
	if (ip->version != 4 || ip->ihl < 5)
		return LB_EXIT_DROP_MALFORMED;
	ihl = ip->ihl * 4;
	tot_len = bpf_ntohs(ip->tot_len);
	/* Ethernet may pad short frames, so the frame may be longer than tot_len, never shorter. */
	if (tot_len < ihl || tot_len > (__u32)(data_end - (void *)ip))
		return LB_EXIT_DROP_MALFORMED;
	if (ip->frag_off & bpf_htons(IPV4_MF | IPV4_OFFSET))
		return LB_EXIT_PASS_FRAGMENT;

	ret = parse_l4(pkt, (void *)ip + ihl, tot_len - ihl, ip->protocol, IPPROTO_ICMP, data_end);
	if (ret >= 0)
		return ret;
	pkt->ip = ip;
	pkt->ip6 = NULL;
	pkt->family = LB_FAMILY_IPV4;
	__builtin_memset(&pkt->key, 0, sizeof(pkt->key));
	pkt->key.src[0] = ip->saddr;
	pkt->key.dst[0] = ip->daddr;
	pkt->key.family = LB_FAMILY_IPV4;
	parse_key_ports(pkt, ip->protocol, ret);
	return ret;
}

/*
 * v (below 0x8000) unchanged, but to the verifier any value in 0..0x7fff: a round trip
 * through two stack bytes at an unaligned offset, which it does not track. Bit 15, set on
 * the way and cleared after, keeps a 0 from being stored as a zero it would remember.
 */
static __always_inline __u64 verifier_forget_u15(__u64 v)
{
	__u64 slot;

	asm volatile("%[v] |= 0x8000\n\t"
		     "*(u16 *)(%[slot] + 2) = %[v]\n\t"
		     "%[v] = *(u16 *)(%[slot] + 2)\n\t"
		     "%[v] &= 0x7fff"
		     : [v] "+r"(v)
		     : [slot] "r"(&slot)
		     : "memory");
	return v;
}

/*
 * Walks at most IPV6_MAX_EXT_HDRS extension headers: hop-by-hop, routing and destination
 * options ((len + 1) * 8 bytes) and AH ((len + 2) * 4) are skipped; a fragment header
 * sends the packet to the kernel; ESP, "no next header" and the rest are not ours.
 */
static __always_inline int parse_ipv6(struct packet *pkt, struct ipv6hdr *ip6, void *data_end)
{
	__u32 payload_len, ext_len = 0, len, i;
	__u8 nexthdr;
	void *l4;
	int ret;

	if ((void *)(ip6 + 1) > data_end)
		return LB_EXIT_DROP_MALFORMED;
	if (ip6->version != 6)
		return LB_EXIT_DROP_MALFORMED;
	payload_len = bpf_ntohs(ip6->payload_len);
	if (payload_len > (__u32)(data_end - (void *)(ip6 + 1)))
		return LB_EXIT_DROP_MALFORMED;

	nexthdr = ip6->nexthdr;
	l4 = ip6 + 1;
#pragma unroll
	for (i = 0; i < IPV6_MAX_EXT_HDRS; i++) {
		struct ipv6_opt_hdr *ext = l4;

		if (nexthdr == NEXTHDR_FRAGMENT)
			return LB_EXIT_PASS_FRAGMENT;
		if (nexthdr != NEXTHDR_HOP && nexthdr != NEXTHDR_ROUTING && nexthdr != NEXTHDR_DEST &&
		    nexthdr != NEXTHDR_AUTH)
			break;
		if ((void *)(ext + 1) > data_end)
			return LB_EXIT_DROP_MALFORMED;
		len = nexthdr == NEXTHDR_AUTH ? ((__u32)ext->hdrlen + 2) * 4 : ((__u32)ext->hdrlen + 1) * 8;
		if (ext_len + len > payload_len)
			return LB_EXIT_DROP_MALFORMED;
		nexthdr = ext->nexthdr;
		ext_len += len;
		l4 += len;
	}
	/*
	 * Each number of extension headers leaves l4 at a differently bounded offset, and the
	 * verifier would check all that follows once per bound (measured: six times the work).
	 * ext_len is at most IPV6_MAX_EXT_HDRS * 2048 bytes, well below 0x8000.
	 */
	ext_len = verifier_forget_u15(ext_len);
	l4 = (void *)(ip6 + 1) + ext_len;
	ret = parse_l4(pkt, l4, payload_len - ext_len, nexthdr, IPPROTO_ICMPV6, data_end);
	if (ret >= 0)
		return ret;
	pkt->ip = NULL;
	pkt->ip6 = ip6;
	pkt->family = LB_FAMILY_IPV6;
	__builtin_memset(&pkt->key, 0, sizeof(pkt->key));
	__builtin_memcpy(pkt->key.src, &ip6->saddr, sizeof(pkt->key.src));
	__builtin_memcpy(pkt->key.dst, &ip6->daddr, sizeof(pkt->key.dst));
	pkt->key.family = LB_FAMILY_IPV6;
	parse_key_ports(pkt, nexthdr, ret);
	return ret;
}

/*
 * Fills *pkt and returns PARSE_OK or PARSE_ICMP, or returns the exit reason. Tagged
 * (802.1Q) frames are passed to the kernel: forwarding them would need the VLAN device's
 * neighbours.
 */
static __always_inline int parse_packet(struct xdp_md *ctx, struct packet *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	pkt->len = data_end - data;
	if ((void *)(eth + 1) > data_end)
		return LB_EXIT_DROP_MALFORMED;
	pkt->eth = eth;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(pkt, (void *)(eth + 1), data_end);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(pkt, (void *)(eth + 1), data_end);
	return LB_EXIT_PASS_NOT_IP;
}

/* True when forwarding would take the TTL / hop limit to 0: the kernel must answer instead. */
static __always_inline int pkt_ttl_expiring(const struct packet *pkt)
{
	if (pkt->family == LB_FAMILY_IPV6)
		return pkt->ip6->hop_limit <= 1;
	return pkt->ip->ttl <= 1;
}

#endif /* VELOX_PARSE_H */
