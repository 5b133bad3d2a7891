/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The one contract for Velox's XDP data: every map key/value struct, constant and
 * map name. Included by the BPF program (bpf/) and by the addon (native/), whose
 * layout() reports sizes and offsets that test/dataplane/layout.test.ts checks
 * against the TypeScript codecs in src/dataplane/codecs.ts.
 *
 * Byte order: addresses, ports and MACs are in network byte order (as on the wire);
 * every other integer is host order. IPv4 addresses occupy addr[0], the rest 0; IPv6
 * addresses all four words.
 */
#ifndef VELOX_LB_H
#define VELOX_LB_H

#ifdef __BPF__
#include <linux/types.h>
#else
#include <stdint.h>
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef uint16_t __be16;
typedef uint32_t __be32;
#endif

/* ---- sizes ---------------------------------------------------------------- */
#define LB_MAX_VIPS 512          /* (address, port, protocol) services per amphora */
#define LB_MAX_BACKENDS 4096     /* members across all fast-path pools */
#define LB_RING_SIZE 16381       /* Maglev table size M: prime, >= 100 x members per pool */
#define LB_MAX_RINGS 64          /* ring slots; a pool uses two (active + spare) to swap whole */
/* lb_rings entries hold backend id + 1; 0 is an empty slot (an all-zero ring has no backend). */
#ifndef LB_MAX_FLOWS
#define LB_MAX_FLOWS 262144      /* conntrack entries (two per flow); -DLB_MAX_FLOWS=N builds another size */
#endif
#define LB_MAX_IFACES 64         /* interfaces the program may redirect to */
#define LB_SNAT_PROBES 16        /* bounded probing for a free SNAT port */
#define LB_MAX_CIDRS 4096        /* allowed_cidrs entries across all listeners */

/* ---- values of fields ------------------------------------------------------ */
#define LB_FAMILY_IPV4 4
#define LB_FAMILY_IPV6 6

/* lb_vip_meta.flags */
#define LB_VIP_F_ENABLED (1u << 0)
#define LB_VIP_F_HASH_SRC_IP (1u << 1)   /* SOURCE_IP algorithm or persistence: hash the source address only */
#define LB_VIP_F_ROUND_ROBIN (1u << 2)   /* ROUND_ROBIN: step through the ring with a per-CPU counter */
#define LB_VIP_F_LEAST_CONN (1u << 3)    /* LEAST_CONNECTIONS: of two ring picks, fewer connections per weight */
#define LB_VIP_F_ALLOWED_CIDRS (1u << 4) /* new flows only from sources in lb_allowed_cidrs for this vip_id */

/*
 * ICMP echo to a VIP address is answered by the program: the compiler adds one lb_vips
 * entry per VIP address with port 0 and proto IPPROTO_ICMP (IPv4) or IPPROTO_ICMPV6.
 */

/* lb_backend.flags */
#define LB_BACKEND_F_ENABLED (1u << 0)

/* lb_flow.state: the connection's state, which picks its idle timeout. */
#define LB_CT_UDP 0         /* not TCP: idle_timeout_ms of its VIP */
#define LB_CT_SYN_SENT 1    /* TCP, the client's SYN seen, no reply yet: syn_timeout_ms */
#define LB_CT_ESTABLISHED 2 /* TCP, the member replied: idle_timeout_ms */
#define LB_CT_CLOSING 3     /* TCP, a FIN or RST seen either way: lb_settings.closing_timeout_ms */

/* lb_flow.dir */
#define LB_DIR_FORWARD 0 /* client -> VIP, rewritten towards the member */
#define LB_DIR_REVERSE 1 /* member -> amphora, rewritten back towards the client */

/* Why the program returned what it did: index into lb_exit_stats. */
enum lb_exit_reason {
	LB_EXIT_PASS_NOT_IP = 0,      /* ARP, LLDP, anything neither IPv4 nor IPv6 */
	LB_EXIT_PASS_NOT_L4 = 1,      /* IP but not TCP, UDP, ICMP (VRRP, ESP, ...) */
	LB_EXIT_PASS_FRAGMENT = 2,    /* fragments go to the kernel */
	LB_EXIT_PASS_NOT_VIP = 3,     /* TCP/UDP not addressed to a VIP nor a tracked flow */
	LB_EXIT_DROP_MALFORMED = 4,   /* truncated or inconsistent headers */
	LB_EXIT_DROP_NO_BACKEND = 5,  /* VIP known but its ring is empty */
	LB_EXIT_DROP_SNAT_FULL = 6,   /* no free SNAT port after LB_SNAT_PROBES tries */
	LB_EXIT_DROP_FIB = 7,         /* no route or no neighbour for the rewritten packet */
	LB_EXIT_TX = 8,               /* forwarded back out of the ingress interface */
	LB_EXIT_REDIRECT = 9,         /* forwarded out of another interface (DEVMAP) */
	LB_EXIT_DROP_VIP_DISABLED = 10, /* VIP exists but is administratively down */
	LB_EXIT_DROP_NO_FLOW = 11,    /* a non-SYN TCP segment for a VIP with no conntrack entry */
	LB_EXIT_PASS_TTL = 12,        /* TTL would expire: the kernel answers ICMP time exceeded */
	LB_EXIT_DROP_CIDR = 13,       /* new flow from a source outside the listener's allowed_cidrs */
	LB_EXIT_DROP_CONN_LIMIT = 14, /* new flow over the listener's connection_limit */
	LB_EXIT_ICMP_ECHO_REPLY = 15, /* echo request to a VIP address answered (XDP_TX) */
	LB_EXIT_PASS_ICMP = 16,       /* ICMP neither to a VIP nor about a tracked flow */
	LB_EXIT_PASS_LOCAL_SOCKET = 17, /* a VIP's TCP segment of a connection this host holds (HAProxy's) */
	LB_EXIT_ICMP_TOO_BIG = 18,    /* too big for the member's route: ICMP frag needed / packet too big sent back */
	LB_EXIT_DROP_TOO_BIG = 19,    /* too big, and no error can be sent (IPv4 without DF: XDP cannot fragment) */
	LB_EXIT_MAX = 20,
};

/* ---- map names (the section names in bpf/maps.h; pinned under bpffs by these) --- */
#define LB_MAP_VIPS "lb_vips"
#define LB_MAP_RINGS "lb_rings"
#define LB_MAP_BACKENDS "lb_backends"
#define LB_MAP_FLOWS "lb_flows"
#define LB_MAP_TX_PORTS "lb_tx_ports"
#define LB_MAP_SETTINGS "lb_settings"
#define LB_MAP_VIP_STATS "lb_vip_stats"
#define LB_MAP_BACKEND_STATS "lb_backend_stats"
#define LB_MAP_EXIT_STATS "lb_exit_stats"
#define LB_MAP_VIP_DROPS "lb_vip_drops"
#define LB_MAP_BACKEND_DROPS "lb_backend_drops"
#define LB_MAP_VIP_OPENED "lb_vip_opened"
#define LB_MAP_VIP_ACTIVE "lb_vip_active"
#define LB_MAP_BACKEND_OPENED "lb_backend_opened"
#define LB_MAP_BACKEND_ACTIVE "lb_backend_active"
#define LB_MAP_RR "lb_rr"
#define LB_MAP_ALLOWED_CIDRS "lb_allowed_cidrs"
#define LB_MAP_SWEEP_SLOTS "lb_sweep_slots"
#define LB_PROG_XDP "xdp_lb"
#define LB_PROG_SWEEP "lb_sweep"

/* ---- structs ---------------------------------------------------------------- */

/* lb_vips key: one L4 service. */
struct lb_vip_key {
	__be32 addr[4]; /* network order */
	__be16 port;    /* network order */
	__u8 proto;     /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;    /* LB_FAMILY_* */
};

/* lb_vips value. */
struct lb_vip_meta {
	__u32 flags;           /* LB_VIP_F_* */
	__u32 ring_id;         /* row of lb_rings holding this service's Maglev table */
	__u32 vip_id;          /* index into lb_vip_stats and the other per-VIP maps */
	__u32 conn_limit;      /* listener connection_limit; 0 = unlimited */
	__u32 idle_timeout_ms; /* established TCP and UDP flows: max(timeout_client_data, timeout_member_data) */
	__u32 syn_timeout_ms;  /* TCP before the member's first reply: timeout_member_connect */
	__u32 pad[2];
};

/* lb_backends value, indexed by backend id. */
struct lb_backend {
	__be32 addr[4]; /* member address, network order */
	__be32 snat[4]; /* the amphora's own address on the member's network, network order */
	__be16 port;    /* member port, network order */
	__u8 family;    /* LB_FAMILY_*; 0 = slot unused */
	__u8 flags;     /* LB_BACKEND_F_* */
	__u32 weight;   /* member weight 1..256, for LEAST_CONNECTIONS; 0 when draining */
};

/* lb_flows key: the 5-tuple of a packet as it arrives. */
struct lb_flow_key {
	__be32 src[4];
	__be32 dst[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u16 pad;
};

/* lb_flows value: the rewrite to apply to packets of that 5-tuple. */
struct lb_flow {
	__be32 nat_src[4]; /* new source address */
	__be32 nat_dst[4]; /* new destination address */
	__be16 nat_sport;  /* new source port */
	__be16 nat_dport;  /* new destination port */
	__u32 backend_id;  /* member the flow is pinned to */
	__u32 vip_id;      /* service the flow belongs to */
	__u8 dir;          /* LB_DIR_* */
	__u8 state;        /* LB_CT_*; the pair's state is the later of its two entries' */
	__u16 sweep_mark;  /* lb_sweep_args.mark of the sweep that rebuilt this half, else 0 */
	/*
	 * Auto last hop, set in reverse entries only: replies go back to the L2 neighbour
	 * and interface the client's first packet came from, so they need no neighbour
	 * entry for the client (which never ARPs if it has the VIP's MAC cached).
	 */
	__u8 l2_dst[6];     /* MAC to send to: source MAC of the client's frame, as on the wire */
	__u8 l2_src[6];     /* our MAC on that interface: its destination MAC, as on the wire */
	__u32 ifindex;      /* interface it arrived on; 0 = not recorded, use bpf_fib_lookup */
	__u64 last_seen_ns; /* bpf_ktime_get_ns() of the last packet */
};

/* lb_settings value (a single-entry array). */
struct lb_settings {
	__u16 snat_port_min;     /* host order, inclusive */
	__u16 snat_port_max;     /* host order, inclusive */
	__u32 flags;
	__u32 closing_timeout_ms; /* TCP after FIN or RST */
	__u32 pad;
};

/*
 * lb_vip_active / lb_backend_active value, written by the agent's conntrack sweep. With the
 * lb_*_opened counter (a u64 the program adds 1 to per new flow, atomically) it estimates
 * the connections open now: active + (opened - opened_at_sweep).
 */
struct lb_active {
	__u64 opened_at_sweep; /* the lb_*_opened value when the sweep started */
	__u64 active;          /* live flows the sweep counted */
};

/*
 * The conntrack sweep (sweep.h) is the program lb_sweep, run by the agent with
 * BPF_PROG_TEST_RUN: its "packet" is this struct, and it writes its results back.
 */
struct lb_sweep_args {
	__u64 now_ns;   /* in: bpf_ktime_get_ns() to judge idleness by */
	__u32 entries;  /* out: entries visited (not a half deleted with its twin before its turn) */
	__u32 expired;  /* out: entries deleted as idle past their state's timeout */
	__u32 orphaned; /* out: entries deleted because another flow holds their twin's key */
	__u32 repaired; /* out: missing halves rebuilt */
	__u16 mark;     /* in: nonzero, differs from the last sweep's; the walk skips halves it rebuilt */
	__u16 pad;
	__u32 pad2;
};

/*
 * lb_sweep_slots: the sweep's scratch, slot vip_id for VIPs, LB_MAX_VIPS + id for
 * members: the opened counter before the walk, the live flows counted, and (VIPs) the
 * timeouts their flows age by.
 */
struct lb_sweep_slot {
	__u64 opened_at_sweep;
	__u64 active;
	__u32 idle_timeout_ms;
	__u32 syn_timeout_ms;
};

/* lb_allowed_cidrs key (LPM trie): prefixlen counts vip_id's 32 bits plus the address prefix. */
struct lb_cidr_key {
	__u32 prefixlen;
	__u32 vip_id;   /* host order; always matched whole, so any byte order both sides share */
	__be32 addr[4]; /* network order; IPv4 in addr[0] */
};

/* lb_vip_stats and lb_backend_stats value (per CPU). */
struct lb_stats {
	__u64 rx_packets; /* client -> member direction */
	__u64 rx_bytes;
	__u64 tx_packets; /* member -> client direction */
	__u64 tx_bytes;
	__u64 new_flows;  /* connections (TCP) or flows (UDP) created */
	__u64 drops;
};

/* lb_exit_stats value (per CPU), indexed by enum lb_exit_reason. */
struct lb_exit_counter {
	__u64 packets;
	__u64 bytes;
};

#ifndef __cplusplus
_Static_assert(sizeof(struct lb_vip_key) == 20, "lb_vip_key size");
_Static_assert(sizeof(struct lb_vip_meta) == 32, "lb_vip_meta size");
_Static_assert(sizeof(struct lb_backend) == 40, "lb_backend size");
_Static_assert(sizeof(struct lb_flow_key) == 40, "lb_flow_key size");
_Static_assert(sizeof(struct lb_flow) == 72, "lb_flow size");
_Static_assert(sizeof(struct lb_settings) == 16, "lb_settings size");
_Static_assert(sizeof(struct lb_active) == 16, "lb_active size");
_Static_assert(sizeof(struct lb_sweep_args) == 32, "lb_sweep_args size");
_Static_assert(sizeof(struct lb_sweep_slot) == 24, "lb_sweep_slot size");
_Static_assert(sizeof(struct lb_cidr_key) == 24, "lb_cidr_key size");
_Static_assert(sizeof(struct lb_stats) == 48, "lb_stats size");
_Static_assert(sizeof(struct lb_exit_counter) == 16, "lb_exit_counter size");
#else
static_assert(sizeof(struct lb_vip_key) == 20, "lb_vip_key size");
static_assert(sizeof(struct lb_vip_meta) == 32, "lb_vip_meta size");
static_assert(sizeof(struct lb_backend) == 40, "lb_backend size");
static_assert(sizeof(struct lb_flow_key) == 40, "lb_flow_key size");
static_assert(sizeof(struct lb_flow) == 72, "lb_flow size");
static_assert(sizeof(struct lb_settings) == 16, "lb_settings size");
static_assert(sizeof(struct lb_active) == 16, "lb_active size");
static_assert(sizeof(struct lb_sweep_args) == 32, "lb_sweep_args size");
static_assert(sizeof(struct lb_sweep_slot) == 24, "lb_sweep_slot size");
static_assert(sizeof(struct lb_cidr_key) == 24, "lb_cidr_key size");
static_assert(sizeof(struct lb_stats) == 48, "lb_stats size");
static_assert(sizeof(struct lb_exit_counter) == 16, "lb_exit_counter size");
#endif

#endif /* VELOX_LB_H */
