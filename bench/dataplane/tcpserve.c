// SPDX-License-Identifier: BSD-2-Clause
// The members' TCP server for the benchmark, one epoll loop on all of the namespace's
// addresses. A request is REQ_SIZE bytes; its first byte says what to do:
//   'K'  answer RESP_SIZE bytes and keep the connection (requests on a kept-alive connection);
//   'C'  answer RESP_SIZE bytes and close (one request per connection; the server closes
//        first, so TIME_WAIT stays here and the client's ports are free again at once);
//   'B'  send bulk data until the client closes (throughput).
// Prints "ready" once listening; runs until killed.
// usage: tcpserve PORT
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "tcpproto.h"

#define MAX_FDS 65536
#define BULK_CHUNK (64 * 1024)

struct peer {
	unsigned char buf[REQ_SIZE];
	unsigned int have;
	int bulk;
};

static struct peer peers[MAX_FDS];
static char response[RESP_SIZE];
static char bulk[BULK_CHUNK];

static void drop(int ep, int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
}

static void pump(int ep, int fd)
{
	while (send(fd, bulk, sizeof(bulk), MSG_NOSIGNAL | MSG_DONTWAIT) > 0)
		;
	if (errno != EAGAIN)
		drop(ep, fd);
}

static void readable(int ep, int fd)
{
	struct peer *p = &peers[fd];
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.fd = fd };
	ssize_t n;

	for (;;) {
		n = recv(fd, p->buf + p->have, sizeof(p->buf) - p->have, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			drop(ep, fd);
			return;
		}
		if (n < 0 || p->bulk)
			return; /* drained; a bulk client sends nothing after its request */
		p->have += n;
		if (p->have < REQ_SIZE)
			continue;
		p->have = 0;
		switch (p->buf[0]) {
		case REQ_KEEP:
			if (send(fd, response, sizeof(response), MSG_NOSIGNAL | MSG_DONTWAIT) != RESP_SIZE) {
				drop(ep, fd);
				return;
			}
			break;
		case REQ_CLOSE:
			send(fd, response, sizeof(response), MSG_NOSIGNAL | MSG_DONTWAIT);
			drop(ep, fd);
			return;
		case REQ_BULK:
			p->bulk = 1;
			epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
			pump(ep, fd);
			return;
		default:
			drop(ep, fd);
			return;
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct epoll_event ev, events[256];
	int lfd, ep, fd, one = 1, i, n;

	if (argc != 2) {
		fprintf(stderr, "usage: tcpserve PORT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(response, 'r', sizeof(response));
	memset(bulk, 'b', sizeof(bulk));
	addr.sin_port = htons(atoi(argv[1]));
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ep = epoll_create1(0);
	if (lfd < 0 || ep < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 4096)) {
		perror("tcpserve: listen");
		return 1;
	}
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		n = epoll_wait(ep, events, 256, -1);
		for (i = 0; i < n; i++) {
			fd = events[i].data.fd;
			if (fd == lfd) {
				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					if (fd >= MAX_FDS) {
						close(fd);
						continue;
					}
					memset(&peers[fd], 0, sizeof(peers[fd]));
					ev.events = EPOLLIN;
					ev.data.fd = fd;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
			} else if (peers[fd].bulk && (events[i].events & EPOLLOUT)) {
				pump(ep, fd);
			} else {
				readable(ep, fd);
			}
		}
	}
}
