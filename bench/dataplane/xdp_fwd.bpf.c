/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The reference forwarder: stateless, no lookups. A packet to VIP:PORT gets the member's
 * address and port (member chosen by the source port's low bit), both checksums patched
 * incrementally, new MACs, and is redirected to the member-side interface. Everything is
 * a compile-time constant (-D...), so the cost is the rewrite and the redirect alone.
 */
#include "counter.h"

#if !defined(VIP) || !defined(PORT) || !defined(MEMBER0) || !defined(MEMBER1) || !defined(MEMBER_PORT) || \
	!defined(OUT_IFINDEX) || !defined(SRC_MAC) || !defined(DST_MAC)
#error "build with -DVIP -DPORT -DMEMBER0 -DMEMBER1 -DMEMBER_PORT -DOUT_IFINDEX -DSRC_MAC -DDST_MAC"
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
	const unsigned char src_mac[ETH_ALEN] = { SRC_MAC };
	const unsigned char dst_mac[ETH_ALEN] = { DST_MAC };
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udphdr *udp;
	__u32 member;
	__u16 check;

	udp = udp_to((void *)(long)ctx->data, (void *)(long)ctx->data_end, PORT, &eth, &ip);
	if (!udp || ip->daddr != bpf_htonl(VIP))
		return XDP_PASS;
	member = bpf_htonl(udp->source & bpf_htons(1) ? MEMBER1 : MEMBER0);

	ip->check = csum_replace32(ip->check, ip->daddr, member);
	if (udp->check) {
		check = csum_replace32(udp->check, ip->daddr, member);
		check = csum_replace16(check, udp->dest, bpf_htons(MEMBER_PORT));
		udp->check = check ? check : 0xffff;
	}
	ip->daddr = member;
	udp->dest = bpf_htons(MEMBER_PORT);
	__builtin_memcpy(eth->h_dest, dst_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, src_mac, ETH_ALEN);
	return bpf_redirect(OUT_IFINDEX, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
