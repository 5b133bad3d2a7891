// SPDX-License-Identifier: BSD-2-Clause
// New flows for the benchmark: TCP SYNs, each from a source address and port never used
// before in the run, sent as Ethernet frames through AF_PACKET sendmmsg as fast as one
// CPU can for SECONDS. Tuple i has source address SRC_NET + i % 4096 and source port
// 1024 + (i / 4096) % 64512, so 264 million tuples go by before one repeats; START is the
// first tuple's index and the next run starts where this one stopped. A frame the kernel
// refuses (EAGAIN, ENOBUFS) is retried with the same tuple, so none is skipped.
// Each SYN carries an MSS option, as real ones do.
// Prints {"sent": frames accepted, "ns": elapsed, "next": index of the next unused tuple}.
// usage: syngen IFNAME SRC_MAC DST_MAC SRC_NET DST_IP DST_PORT SECONDS START
#include "frame.h"
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdlib.h>

#define ADDRS 4096
#define PORTS 64512

struct syn {
	struct ether_header eth;
	struct iphdr ip;
	struct tcphdr tcp;
	unsigned char mss[4];
} __attribute__((packed));

static struct syn frames[BATCH];

static void set_tuple(struct syn *f, unsigned int net, long long i)
{
	unsigned int sum;

	f->ip.saddr = htonl(net + (unsigned int)(i % ADDRS));
	f->tcp.source = htons(1024 + (unsigned short)((i / ADDRS) % PORTS));
	f->tcp.seq = htonl((unsigned int)(i * 2654435761u));
	f->ip.check = 0;
	f->ip.check = fold(sum16(&f->ip, sizeof(f->ip), 0));
	f->tcp.check = 0;
	sum = pseudo_sum(f->ip.saddr, f->ip.daddr, IPPROTO_TCP, sizeof(f->tcp) + sizeof(f->mss));
	f->tcp.check = fold(sum16(&f->tcp, sizeof(f->tcp) + sizeof(f->mss), sum));
}

static int build(struct syn *f, char **argv)
{
	memset(f, 0, sizeof(*f));
	if (parse_mac(argv[2], f->eth.ether_shost) || parse_mac(argv[3], f->eth.ether_dhost) ||
	    inet_pton(AF_INET, argv[5], &f->ip.daddr) != 1)
		return -1;
	f->eth.ether_type = htons(ETHERTYPE_IP);
	f->ip.version = 4;
	f->ip.ihl = 5;
	f->ip.ttl = 64;
	f->ip.frag_off = htons(IP_DF);
	f->ip.protocol = IPPROTO_TCP;
	f->ip.tot_len = htons(sizeof(f->ip) + sizeof(f->tcp) + sizeof(f->mss));
	f->tcp.dest = htons(atoi(argv[6]));
	f->tcp.doff = (sizeof(f->tcp) + sizeof(f->mss)) / 4;
	f->tcp.syn = 1;
	f->tcp.window = htons(64240);
	f->mss[0] = TCPOPT_MAXSEG;
	f->mss[1] = TCPOLEN_MAXSEG;
	f->mss[2] = 1460 >> 8;
	f->mss[3] = 1460 & 0xff;
	return 0;
}

int main(int argc, char **argv)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct in_addr net;
	long long next, start, end, deadline;
	int fd, i, n;

	if (argc != 9) {
		fprintf(stderr, "usage: syngen IFNAME SRC_MAC DST_MAC SRC_NET DST_IP DST_PORT SECONDS START\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[4], &net) != 1) {
		fprintf(stderr, "syngen: bad source network\n");
		return 2;
	}
	next = atoll(argv[8]);
	for (i = 0; i < BATCH; i++) {
		if (build(&frames[i], argv)) {
			fprintf(stderr, "syngen: bad address\n");
			return 2;
		}
		iov[i].iov_base = &frames[i];
		iov[i].iov_len = sizeof(frames[i]);
	}
	fd = packet_socket(argv[1]);
	if (fd < 0) {
		perror("syngen: socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = now_ns();
	deadline = start + (long long)(atof(argv[7]) * 1e9);
	for (end = start; end < deadline; end = now_ns()) {
		for (i = 0; i < BATCH; i++)
			set_tuple(&frames[i], ntohl(net.s_addr), next + i);
		n = sendmmsg(fd, msgs, BATCH, MSG_DONTWAIT);
		if (n > 0)
			next += n;
		else if (n < 0 && errno != EAGAIN && errno != ENOBUFS) {
			perror("syngen: sendmmsg");
			return 1;
		}
	}
	printf("{\"sent\": %lld, \"ns\": %lld, \"next\": %lld}\n", next - atoll(argv[8]), end - start, next);
	return 0;
}
