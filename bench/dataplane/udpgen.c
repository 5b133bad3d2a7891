// SPDX-License-Identifier: BSD-2-Clause
// The benchmark's traffic: FLOWS UDP flows (source ports BASE..BASE+FLOWS-1), PAYLOAD-byte
// datagrams, sent as prebuilt Ethernet frames through an AF_PACKET socket with sendmmsg
// (qdisc bypassed) as fast as one CPU can for SECONDS. Frames rather than UDP sockets
// because this machine's socket path tops out near 0.3 Mpps, far below what XDP
// handles, and the balancer must be kept busy to measure its cost per packet.
// Full queues (EAGAIN, ENOBUFS) are ignored: the balancer is what is measured.
// Prints {"sent": frames accepted by the kernel, "ns": elapsed}.
// usage: udpgen IFNAME SRC_MAC DST_MAC SRC_IP DST_IP DST_PORT FLOWS SECONDS BASE_PORT PAYLOAD
#include "frame.h"
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_FLOWS 1024
#define MAX_PAYLOAD 1400

struct frame {
	struct ether_header eth;
	struct iphdr ip;
	struct udphdr udp;
	unsigned char payload[MAX_PAYLOAD];
} __attribute__((packed));

static struct frame frames[MAX_FLOWS];

/* One complete frame per flow, checksums included (nothing downstream finishes them). */
static int build(struct frame *f, char **argv, int sport, size_t payload)
{
	unsigned int sum;

	memset(f, 0, sizeof(*f));
	if (parse_mac(argv[2], f->eth.ether_shost) || parse_mac(argv[3], f->eth.ether_dhost) ||
	    inet_pton(AF_INET, argv[4], &f->ip.saddr) != 1 || inet_pton(AF_INET, argv[5], &f->ip.daddr) != 1)
		return -1;
	f->eth.ether_type = htons(ETHERTYPE_IP);
	f->ip.version = 4;
	f->ip.ihl = 5;
	f->ip.ttl = 64;
	f->ip.protocol = IPPROTO_UDP;
	f->ip.tot_len = htons(sizeof(f->ip) + sizeof(f->udp) + payload);
	f->ip.check = fold(sum16(&f->ip, sizeof(f->ip), 0));
	f->udp.source = htons(sport);
	f->udp.dest = htons(atoi(argv[6]));
	f->udp.len = htons(sizeof(f->udp) + payload);
	memset(f->payload, 'v', payload);
	sum = pseudo_sum(f->ip.saddr, f->ip.daddr, IPPROTO_UDP, sizeof(f->udp) + payload);
	sum = sum16(&f->udp, sizeof(f->udp) + payload, sum);
	f->udp.check = fold(sum);
	if (!f->udp.check)
		f->udp.check = 0xffff;
	return 0;
}

int main(int argc, char **argv)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	long long sent = 0, start, end, deadline;
	int flows, base, fd, next = 0, i, n;
	size_t payload, len;

	if (argc != 11) {
		fprintf(stderr, "usage: udpgen IFNAME SRC_MAC DST_MAC SRC_IP DST_IP DST_PORT FLOWS SECONDS "
				"BASE_PORT PAYLOAD\n");
		return 2;
	}
	flows = atoi(argv[7]);
	base = atoi(argv[9]);
	payload = atoi(argv[10]);
	if (flows < 1 || flows > MAX_FLOWS || payload > MAX_PAYLOAD) {
		fprintf(stderr, "udpgen: bad flows or payload\n");
		return 2;
	}
	for (i = 0; i < flows; i++) {
		if (build(&frames[i], argv, base + i, payload)) {
			fprintf(stderr, "udpgen: bad address\n");
			return 2;
		}
	}
	len = sizeof(struct ether_header) + sizeof(struct iphdr) + sizeof(struct udphdr) + payload;
	fd = packet_socket(argv[1]);
	if (fd < 0) {
		perror("udpgen: socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	start = now_ns();
	deadline = start + (long long)(atof(argv[8]) * 1e9);
	for (end = start; end < deadline; end = now_ns()) {
		/* Consecutive frames belong to different flows, as on a busy link. */
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = &frames[next];
			iov[i].iov_len = len;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			next = next + 1 == flows ? 0 : next + 1;
		}
		n = sendmmsg(fd, msgs, BATCH, MSG_DONTWAIT);
		if (n > 0)
			sent += n;
		else if (n < 0 && errno != EAGAIN && errno != ENOBUFS) {
			perror("udpgen: sendmmsg");
			return 1;
		}
	}
	printf("{\"sent\": %lld, \"ns\": %lld}\n", sent, end - start);
	return 0;
}
