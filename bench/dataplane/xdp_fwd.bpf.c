/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The reference forwarder: stateless, no lookups. A UDP packet to VIP:PORT (or a TCP
 * segment to VIP:TCP_PORT) gets the member's address and port (member chosen by the
 * source port's low bit), both checksums patched incrementally, new MACs, and is
 * redirected to the member-side interface. Everything is a compile-time constant
 * (-D...), so the cost is the rewrite and the redirect alone. Replies are not handled:
 * it forwards one way, which is all the packet and new-flow figures need.
 */
#include "counter.h"

#if !defined(VIP) || !defined(PORT) || !defined(TCP_PORT) || !defined(MEMBER0) || !defined(MEMBER1) || \
	!defined(MEMBER_PORT) || !defined(MEMBER_TCP_PORT) || !defined(OUT_IFINDEX) || !defined(SRC_MAC) || \
	!defined(DST_MAC)
#error "build with -DVIP -DPORT -DTCP_PORT -DMEMBER0 -DMEMBER1 -DMEMBER_PORT -DMEMBER_TCP_PORT -DOUT_IFINDEX -DSRC_MAC -DDST_MAC"
#endif

static __always_inline __u16 csum_fold32(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* RFC 1624: HC' = ~(~HC + ~m + m') over the 16-bit words of a 32-bit field. */
static __always_inline __u16 csum_replace32(__u16 check, __u32 from, __u32 to)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~(from >> 16) + (__u16)~(from & 0xffff);
	sum += (to >> 16) + (to & 0xffff);
	return ~csum_fold32(sum);
}

static __always_inline __u16 csum_replace16(__u16 check, __u16 from, __u16 to)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~from + to;
	return ~csum_fold32(sum);
}

SEC("xdp")
int xdp_fwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	const unsigned char src_mac[ETH_ALEN] = { SRC_MAC };
	const unsigned char dst_mac[ETH_ALEN] = { DST_MAC };
	struct ethhdr *eth;
	struct iphdr *ip;
	__be16 *ports, *check, to_port;
	__u32 member;
	__u16 sum;

	ports = l4_to(data, data_end, IPPROTO_UDP, PORT, &eth, &ip);
	if (ports) {
		to_port = bpf_htons(MEMBER_PORT);
		check = &((struct udphdr *)ports)->check;
	} else {
		ports = l4_to(data, data_end, IPPROTO_TCP, TCP_PORT, &eth, &ip);
		if (!ports)
			return XDP_PASS;
		to_port = bpf_htons(MEMBER_TCP_PORT);
		check = &((struct tcphdr *)ports)->check;
	}
	if (ip->daddr != bpf_htonl(VIP))
		return XDP_PASS;
	member = bpf_htonl(ports[0] & bpf_htons(1) ? MEMBER1 : MEMBER0);

	ip->check = csum_replace32(ip->check, ip->daddr, member);
	/* A UDP checksum of 0 means none; TCP always has one and it is never sent as 0. */
	if (*check || ip->protocol == IPPROTO_TCP) {
		sum = csum_replace32(*check, ip->daddr, member);
		sum = csum_replace16(sum, ports[1], to_port);
		*check = sum || ip->protocol == IPPROTO_TCP ? sum : 0xffff;
	}
	ip->daddr = member;
	ports[1] = to_port;
	__builtin_memcpy(eth->h_dest, dst_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, src_mac, ETH_ALEN);
	return bpf_redirect(OUT_IFINDEX, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
