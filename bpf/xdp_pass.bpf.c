// SPDX-License-Identifier: GPL-2.0
/* Lets every frame through. Attached to veth peers so they have NAPI (XDP redirects
 * into a veth are delivered by its peer only then) and used by the addon's tests. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
