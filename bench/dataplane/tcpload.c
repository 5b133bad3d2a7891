// SPDX-License-Identifier: BSD-2-Clause
// The benchmark's TCP client: CONCURRENCY connections to DST:PORT in one epoll loop for
// SECONDS, in one of three modes (see tcpproto.h for what the server does):
//   conn  connect, send one request, read the answer and the server's close, close, repeat;
//   req   keep each connection and send the next request as soon as the answer is in;
//   bulk  send a bulk request and count what arrives.
// A connection that fails (refused, reset, short answer) is counted and replaced.
// Prints {"done": connections (conn) or requests (req), "bytes": bytes read,
//         "errors": failed connections, "ns": elapsed}.
// usage: tcpload conn|req|bulk DST_IP PORT CONCURRENCY SECONDS
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "tcpproto.h"

#define MAX_CONNS 1024

enum mode { CONN, REQ, BULK };

struct conn {
	int fd;
	int connected;
	long long got; /* answer bytes read since the last request */
};

static struct conn conns[MAX_CONNS];
static struct sockaddr_in dst = { .sin_family = AF_INET };
static enum mode mode;
static int ep;
static long long done, bytes, errors;
static char buf[256 * 1024];

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int open_conn(struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	c->connected = 0;
	c->got = 0;
	if (c->fd < 0)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&dst, sizeof(dst)) && errno != EINPROGRESS) {
		close(c->fd);
		return -1;
	}
	return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void restart(struct conn *c, int failed)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	errors += failed;
	if (open_conn(c))
		errors++;
}

static int send_request(struct conn *c)
{
	char req[REQ_SIZE];

	memset(req, 'q', sizeof(req));
	req[0] = mode == CONN ? REQ_CLOSE : mode == REQ ? REQ_KEEP : REQ_BULK;
	c->got = 0;
	return send(c->fd, req, sizeof(req), MSG_NOSIGNAL | MSG_DONTWAIT) == REQ_SIZE ? 0 : -1;
}

static void on_event(struct conn *c, unsigned int events)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	int err = 0;
	socklen_t len = sizeof(err);
	ssize_t n;

	if (!c->connected) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err || !(events & EPOLLOUT)) {
			restart(c, 1);
			return;
		}
		c->connected = 1;
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		if (send_request(c))
			restart(c, 1);
		return;
	}
	for (;;) {
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			/* The end of the exchange in conn mode; a failure in the others. */
			if (mode == CONN && n == 0 && c->got == RESP_SIZE) {
				done++;
				restart(c, 0);
			} else {
				restart(c, 1);
			}
			return;
		}
		bytes += n;
		c->got += n;
		if (mode == REQ && c->got == RESP_SIZE) {
			done++;
			if (send_request(c)) {
				restart(c, 1);
				return;
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct epoll_event events[256];
	long long start, deadline, now;
	int concurrency, i, n, wait_ms;

	if (argc != 6) {
		fprintf(stderr, "usage: tcpload conn|req|bulk DST_IP PORT CONCURRENCY SECONDS\n");
		return 2;
	}
	mode = !strcmp(argv[1], "conn") ? CONN : !strcmp(argv[1], "req") ? REQ : BULK;
	concurrency = atoi(argv[4]);
	if ((mode == BULK && strcmp(argv[1], "bulk")) || inet_pton(AF_INET, argv[2], &dst.sin_addr) != 1 ||
	    concurrency < 1 || concurrency > MAX_CONNS) {
		fprintf(stderr, "tcpload: bad mode, address or concurrency\n");
		return 2;
	}
	dst.sin_port = htons(atoi(argv[3]));
	signal(SIGPIPE, SIG_IGN);
	ep = epoll_create1(0);
	start = now_ns();
	deadline = start + (long long)(atof(argv[5]) * 1e9);
	for (i = 0; i < concurrency; i++) {
		if (open_conn(&conns[i])) {
			perror("tcpload: connect");
			return 1;
		}
	}
	for (now = start; now < deadline; now = now_ns()) {
		wait_ms = (int)((deadline - now) / 1000000) + 1;
		n = epoll_wait(ep, events, 256, wait_ms < 100 ? wait_ms : 100);
		for (i = 0; i < n; i++)
			on_event(events[i].data.ptr, events[i].events);
	}
	printf("{\"done\": %lld, \"bytes\": %lld, \"errors\": %lld, \"ns\": %lld}\n", done, bytes, errors,
	       now - start);
	return 0;
}
