/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * New flows: admission (allowed_cidrs, connection_limit), the member (select.h), a SNAT
 * port by bounded probing, then the reverse and the forward entry in lb_flows.
 */
#ifndef VELOX_FLOW_H
#define VELOX_FLOW_H

#include "maps.h"
#include "parse.h"
#include "ct.h"
#include "select.h"
#include "stats.h"

#define FLOW_OK (-1)
#define FLOW_SEED_SNAT 0x5eed5eed

/* FLOW_OK when the VIP takes a new flow from this source now, else the exit reason. */
static __always_inline int flow_admit(const struct packet *pkt, const struct lb_vip_meta *vip)
{
	struct lb_cidr_key cidr;

	if (vip->flags & LB_VIP_F_ALLOWED_CIDRS) {
		cidr.prefixlen = 32 + (pkt->key.family == LB_FAMILY_IPV6 ? 128 : 32);
		cidr.vip_id = vip->vip_id;
		__builtin_memcpy(cidr.addr, pkt->key.src, sizeof(cidr.addr));
		if (!bpf_map_lookup_elem(&lb_allowed_cidrs, &cidr))
			return LB_EXIT_DROP_CIDR;
	}
	if (vip->conn_limit &&
	    stats_open_estimate(&lb_vip_active, &lb_vip_opened, vip->vip_id) >= vip->conn_limit)
		return LB_EXIT_DROP_CONN_LIMIT;
	return FLOW_OK;
}

/*
 * Creates both conntrack entries for the packet's flow and fills *fwd with the forward
 * rewrite. Returns FLOW_OK or the exit reason; fwd->backend_id is set as soon as the
 * member is known, so the caller can count a drop against it. The reverse entry records
 * the client's frame (MACs, ingress interface) for auto last hop; the forward entry
 * leaves them 0, as members have neighbour entries the agent maintains. On failure no
 * entry is left behind.
 */
static __always_inline int flow_create(const struct packet *pkt, const struct lb_vip_meta *vip,
				       __u32 ingress_ifindex, struct lb_flow *fwd)
{
	struct lb_flow_key rkey;
	struct lb_flow rev;
	struct lb_settings *set;
	struct lb_backend *be;
	__u32 zero = 0, backend_id = 0, range, port_hash, i;

	be = select_backend(pkt, vip, &backend_id);
	if (!be)
		return LB_EXIT_DROP_NO_BACKEND;
	fwd->backend_id = backend_id;

	set = bpf_map_lookup_elem(&lb_settings, &zero);
	if (!set || set->snat_port_min == 0 || set->snat_port_max < set->snat_port_min)
		return LB_EXIT_DROP_SNAT_FULL;
	range = (__u32)set->snat_port_max - set->snat_port_min + 1;

	__builtin_memset(fwd, 0, sizeof(*fwd));
	__builtin_memcpy(fwd->nat_src, be->snat, sizeof(fwd->nat_src));
	__builtin_memcpy(fwd->nat_dst, be->addr, sizeof(fwd->nat_dst));
	fwd->nat_dport = be->port;
	fwd->backend_id = backend_id;
	fwd->vip_id = vip->vip_id;
	fwd->dir = LB_DIR_FORWARD;
	fwd->state = pkt->key.proto == IPPROTO_TCP ? LB_CT_SYN_SENT : LB_CT_UDP;
	fwd->last_seen_ns = bpf_ktime_get_ns();

	ct_twin_entry(&pkt->key, fwd, &rev);
	ct_record_last_hop(&rev, pkt, ingress_ifindex);
	ct_twin_key(&pkt->key, fwd, &rkey);

	/* The reverse key holds the SNAT port: inserting it with NOEXIST claims the port. */
	port_hash = flow_hash(&pkt->key, FLOW_SEED_SNAT);
	for (i = 0; i < LB_SNAT_PROBES; i++) {
		rkey.dport = bpf_htons((__u16)(set->snat_port_min + (port_hash + i) % range));
		if (bpf_map_update_elem(&lb_flows, &rkey, &rev, BPF_NOEXIST) == 0)
			break;
	}
	if (i == LB_SNAT_PROBES)
		return LB_EXIT_DROP_SNAT_FULL;

	fwd->nat_sport = rkey.dport;
	if (bpf_map_update_elem(&lb_flows, &pkt->key, fwd, BPF_ANY) != 0) {
		/* Do not leave a reverse entry without its forward twin holding the port. */
		bpf_map_delete_elem(&lb_flows, &rkey);
		return LB_EXIT_DROP_SNAT_FULL;
	}
	return FLOW_OK;
}

#endif /* VELOX_FLOW_H */
