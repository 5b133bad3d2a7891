/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Incremental Internet checksum updates (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')).
 * A delta accumulates ~old + new over 16-bit words; the one's complement sum does not
 * depend on byte order, so words are summed as they lie in memory (network order).
 */
#ifndef VELOX_CSUM_H
#define VELOX_CSUM_H

#include <linux/types.h>

static __always_inline __u32 csum_delta16(__u32 acc, __u16 from, __u16 to)
{
	return acc + (__u16)~from + to;
}

static __always_inline __u32 csum_delta32(__u32 acc, __u32 from, __u32 to)
{
	acc = csum_delta16(acc, (__u16)from, (__u16)to);
	return csum_delta16(acc, (__u16)(from >> 16), (__u16)(to >> 16));
}

/* A 16-byte (IPv6) address, or lb.h's addr[4], changing from `from` to `to`. */
static __always_inline __u32 csum_delta128(__u32 acc, const __u32 *from, const __u32 *to)
{
	acc = csum_delta32(acc, from[0], to[0]);
	acc = csum_delta32(acc, from[1], to[1]);
	acc = csum_delta32(acc, from[2], to[2]);
	return csum_delta32(acc, from[3], to[3]);
}

/* The checksum after applying a delta to a field whose old checksum was `check`. */
static __always_inline __u16 csum_apply(__u16 check, __u32 acc)
{
	__u32 sum = (__u16)~check + acc;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

#endif /* VELOX_CSUM_H */
