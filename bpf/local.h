/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Connections the amphora's own kernel holds on a VIP address and port: HAProxy's, opened
 * while it served the listener, before the listener moved to the fast path. Their
 * segments have no conntrack entry and must still reach the kernel, or the move cuts them.
 */
#ifndef VELOX_LOCAL_H
#define VELOX_LOCAL_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "parse.h"

#ifndef BPF_TCP_LISTEN
#define BPF_TCP_LISTEN 10
#endif

/*
 * True when a non-listening TCP socket in this namespace owns the packet's 4-tuple (an
 * established, closing, time-wait or half-open connection). A listener matches every
 * tuple to its port, so it does not count: a segment nobody holds stays a drop.
 */
static __always_inline int local_socket_owns(struct xdp_md *ctx, const struct packet *pkt)
{
	struct bpf_sock_tuple tuple;
	struct bpf_sock *sk;
	__u32 size;
	int owned;

	__builtin_memset(&tuple, 0, sizeof(tuple));
	if (pkt->key.family == LB_FAMILY_IPV4) {
		tuple.ipv4.saddr = pkt->key.src[0];
		tuple.ipv4.daddr = pkt->key.dst[0];
		tuple.ipv4.sport = pkt->key.sport;
		tuple.ipv4.dport = pkt->key.dport;
		size = sizeof(tuple.ipv4);
	} else {
		__builtin_memcpy(tuple.ipv6.saddr, pkt->key.src, sizeof(tuple.ipv6.saddr));
		__builtin_memcpy(tuple.ipv6.daddr, pkt->key.dst, sizeof(tuple.ipv6.daddr));
		tuple.ipv6.sport = pkt->key.sport;
		tuple.ipv6.dport = pkt->key.dport;
		size = sizeof(tuple.ipv6);
	}
	sk = bpf_skc_lookup_tcp(ctx, &tuple, size, BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	owned = sk->state != BPF_TCP_LISTEN;
	bpf_sk_release(sk);
	return owned;
}

#endif /* VELOX_LOCAL_H */
