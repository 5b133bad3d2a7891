// ACTIVE_STANDBY policy, pure: the roles and priorities of the two amphorae (Octavia's:
// MASTER 100, BACKUP 90, both nopreempt), the virtual router id of a load balancer
// (the lowest free one on its VIP network, so two groups on one network never take
// each other's adverts: keepalived does not check the sender of unicast adverts by
// default), the group's password, and the Vrrp section of one amphora's config.
import { randomInt } from 'node:crypto';
import type { ControllerWorkerConfig } from '../config.js';
import type { Vrrp } from '../../src/grpc/gen/velox/agent/v1/Vrrp.js';

export type HaRole = 'MASTER' | 'BACKUP';
export const HA_ROLES: readonly HaRole[] = ['MASTER', 'BACKUP'];

/** keepalived runs on the VIP NIC (compute drivers name it so). */
export const VRRP_INTERFACE = 'vip0';

/** Virtual router ids VRRP allows. */
export const VRRP_ID_MIN = 1;
export const VRRP_ID_MAX = 255;

export class NoFreeVrrpIdError extends Error {
  constructor(networkId: string) {
    super(`every VRRP virtual router id (1-255) is taken on network ${networkId}`);
    this.name = 'NoFreeVrrpIdError';
  }
}

export function isHaRole(role: string): role is HaRole {
  return (HA_ROLES as readonly string[]).includes(role);
}

export function priorityOf(role: HaRole): number {
  return role === 'MASTER' ? 100 : 90;
}

export function peerRole(role: HaRole): HaRole {
  return role === 'MASTER' ? 'BACKUP' : 'MASTER';
}

/** The lowest id in 1..255 not in `used`. */
export function lowestFreeVrrpId(used: Iterable<number>, networkId: string): number {
  const taken = new Set(used);
  for (let id = VRRP_ID_MIN; id <= VRRP_ID_MAX; id++) if (!taken.has(id)) return id;
  throw new NoFreeVrrpIdError(networkId);
}

const PASS_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** keepalived's PASS authentication takes up to 8 characters. */
export function newAuthPass(): string {
  return Array.from({ length: 8 }, () => PASS_CHARS[randomInt(PASS_CHARS.length)]).join('');
}

export interface VrrpPlan {
  role: HaRole;
  vrrpId: number;
  authPass: string;
  /** This amphora's own address on the VIP network (unicast source). */
  vrrpIp: string;
  /** The other amphora of the group; absent while it is being rebuilt. */
  peer?: { amphoraId: string; vrrpIp: string; lbNetworkIp: string };
  /** The VIP with its subnet's prefix. */
  vip: { address: string; prefix: number };
  /** The load balancer's SNAT address on each member NIC's subnets. */
  snat: { nic: string; address: string; prefix: number }[];
  timers: ControllerWorkerConfig;
  /** The agents' gRPC port: flow sync goes to the peer's management address on it. */
  agentPort: number;
}

/** The Vrrp section of the amphora's config. */
export function vrrpSection(p: VrrpPlan): Vrrp {
  return {
    initial_role: p.role,
    vrrp_id: p.vrrpId,
    priority: priorityOf(p.role),
    interface: VRRP_INTERFACE,
    vrrp_ip: p.vrrpIp,
    peer_ips: p.peer ? [p.peer.vrrpIp] : [],
    floating: [
      { interface: VRRP_INTERFACE, address: `${p.vip.address}/${p.vip.prefix}`, snat: false },
      ...p.snat.map((s) => ({ interface: s.nic, address: `${s.address}/${s.prefix}`, snat: true })),
    ],
    advert_int: p.timers.vrrpAdvertInt,
    check_interval: p.timers.vrrpCheckInterval,
    fail_count: p.timers.vrrpFailCount,
    success_count: p.timers.vrrpSuccessCount,
    garp_refresh_interval: p.timers.vrrpGarpRefreshInterval,
    auth_pass: p.authPass,
    flow_sync: p.peer
      ? { peer: `${p.peer.lbNetworkIp}:${p.agentPort}`, peer_amphora_id: p.peer.amphoraId }
      : null,
  };
}
