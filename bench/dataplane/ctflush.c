// SPDX-License-Identifier: BSD-2-Clause
// Empties the IPv4 conntrack table of the current network namespace (what `conntrack -F`
// does, without needing conntrack-tools): an IPCTNL_MSG_CT_DELETE with no attributes.
// The bench runs it before each nftables measurement so every run starts from the same
// empty table.
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct {
		struct nlmsghdr nlh;
		struct nfgenmsg nfg;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		},
		.nfg = { .nfgen_family = AF_INET, .version = NFNETLINK_V0 },
	};
	char answer[4096];
	struct nlmsghdr *nlh = (struct nlmsghdr *)answer;
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
	ssize_t n;

	if (fd < 0 || send(fd, &req, sizeof(req), 0) != sizeof(req)) {
		perror("ctflush");
		return 1;
	}
	n = recv(fd, answer, sizeof(answer), 0);
	if (n < (ssize_t)sizeof(*nlh) || nlh->nlmsg_type != NLMSG_ERROR) {
		fprintf(stderr, "ctflush: no answer from ctnetlink\n");
		return 1;
	}
	if (((struct nlmsgerr *)NLMSG_DATA(nlh))->error) {
		fprintf(stderr, "ctflush: %s\n", strerror(-((struct nlmsgerr *)NLMSG_DATA(nlh))->error));
		return 1;
	}
	close(fd);
	return 0;
}
