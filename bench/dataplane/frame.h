// SPDX-License-Identifier: BSD-2-Clause
// Shared by the benchmark's frame generators (udpgen.c, syngen.c): checksums, a clock,
// MAC parsing and the AF_PACKET socket they send through (qdisc bypassed).
#ifndef VXK_BENCH_FRAME_H
#define VXK_BENCH_FRAME_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sendmmsg */
#endif
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64

static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline unsigned int sum16(const void *p, size_t len, unsigned int sum)
{
	const unsigned char *b = p;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (b[i] << 8) | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	return sum;
}

static inline unsigned short fold(unsigned int sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/* The pseudo-header sum of an IPv4 L4 segment (addresses in network order). */
static inline unsigned int pseudo_sum(unsigned int src, unsigned int dst, unsigned char proto,
				      unsigned short len)
{
	struct { unsigned int src, dst; unsigned char zero, proto; unsigned short len; } ph = {
		src, dst, 0, proto, htons(len)
	};

	return sum16(&ph, sizeof(ph), 0);
}

static inline int parse_mac(const char *s, unsigned char *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4],
		      &mac[5]) == 6 ? 0 : -1;
}

/* A raw socket bound to ifname that hands frames straight to the driver; -1 on error. */
static inline int packet_socket(const char *ifname)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	int fd, one = 1;

	ll.sll_ifindex = if_nametoindex(ifname);
	if (!ll.sll_ifindex)
		return -1;
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ll, sizeof(ll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		return -1;
	return fd;
}

#endif
