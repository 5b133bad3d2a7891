// Representative Vrrp configs for the renderer's golden files: what the controller sends
// for an ACTIVE_STANDBY pair on IPv4, IPv6 and dual-stack VIP networks, with member
// networks whose SNAT addresses move with the VIP.
import type { FloatingAddress__Output } from '../../src/grpc/gen/velox/agent/v1/FloatingAddress.js';
import type { Vrrp__Output } from '../../src/grpc/gen/velox/agent/v1/Vrrp.js';

export function vrrp(over: Partial<Vrrp__Output> = {}): Vrrp__Output {
  return {
    initial_role: 'MASTER',
    vrrp_id: 1,
    priority: 100,
    interface: 'vip0',
    vrrp_ip: '172.30.1.11',
    peer_ips: ['172.30.1.12'],
    floating: [floating('vip0', '172.30.1.10/24')],
    advert_int: 1,
    check_interval: 5,
    fail_count: 2,
    success_count: 2,
    garp_refresh_interval: 5,
    auth_pass: 'c0ffee12',
    flow_sync: null,
    ...over,
  };
}

export function floating(iface: string, address: string, snat = false): FloatingAddress__Output {
  return { interface: iface, address, snat };
}

export const GOLDEN_CASES: Record<string, Vrrp__Output> = {
  ipv4: vrrp(),
  'ipv4-backup-defaults': vrrp({
    initial_role: 'BACKUP',
    priority: 90,
    vrrp_ip: '172.30.1.12',
    peer_ips: ['172.30.1.11'],
    advert_int: 0,
    check_interval: 0,
    fail_count: 0,
    success_count: 0,
    garp_refresh_interval: 0,
  }),
  ipv6: vrrp({
    vrrp_id: 42,
    vrrp_ip: 'fd00:30:1::11',
    peer_ips: ['fd00:30:1::12'],
    floating: [floating('vip0', 'fd00:30:1::10/64')],
  }),
  'dual-stack': vrrp({
    floating: [floating('vip0', '172.30.1.10/24'), floating('vip0', 'fd00:30:1::10/64')],
  }),
  'member-networks': vrrp({
    vrrp_id: 200,
    check_interval: 1,
    fail_count: 3,
    success_count: 1,
    garp_refresh_interval: 10,
    floating: [
      floating('vip0', '172.30.1.10/24'),
      floating('vip0', 'fd00:30:1::10/64'),
      floating('mem0', '172.30.2.5/24', true),
      floating('mem0', 'fd00:30:2::5/64', true),
      floating('mem1', '172.30.3.5/24', true),
    ],
  }),
};
