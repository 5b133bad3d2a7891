import t from 'tap';
import type { LoadBalancerGraph } from '../../../controller/db/worker-repo.js';
import type { OperatingStatus, ProvisioningStatus } from '../../../controller/db/schema.js';
import { statusesFromHeartbeat, statusesWhenStale } from '../../../controller/health/status-rules.js';
import { LISTENER_WITHOUT_TLS } from '../../../controller/db/listener-repo.js';
import { POOL_WITHOUT_TLS } from '../../../controller/db/pool-repo.js';

const base = (id: string, op: OperatingStatus = 'OFFLINE', prov: ProvisioningStatus = 'ACTIVE') => ({
  id,
  project_id: 'p',
  name: id,
  description: '',
  provisioning_status: prov,
  operating_status: op,
  enabled: 1,
  tags: '[]',
  created_at: '2026-01-01T00:00:00',
  updated_at: null,
});

function graph(lbProv: ProvisioningStatus = 'ACTIVE'): LoadBalancerGraph {
  return {
    loadBalancer: {
      ...base('lb', 'OFFLINE', lbProv),
      vip_address: '172.29.1.100',
      vip_port_id: 'vp',
      vip_subnet_id: 's',
      vip_network_id: 'n',
      provider: 'amphora',
      topology: 'SINGLE',
      flavor_id: null,
      availability_zone: null,
    },
    listeners: [
      {
        ...base('l1'),
        load_balancer_id: 'lb',
        protocol: 'TCP',
        protocol_port: 80,
        connection_limit: -1,
        default_pool_id: 'p1',
        timeout_client_data: 1,
        timeout_member_connect: 1,
        timeout_member_data: 1,
        timeout_tcp_inspect: 0,
        allowed_cidrs: '[]',
        ...LISTENER_WITHOUT_TLS,
      },
    ],
    pools: [
      {
        pool: {
          ...base('p1'),
          load_balancer_id: 'lb',
          protocol: 'TCP',
          lb_algorithm: 'ROUND_ROBIN',
          session_persistence: null,
          ...POOL_WITHOUT_TLS,
        },
        members: ['m1', 'm2'].map((id) => ({
          ...base(id, id === 'm2' ? 'NO_MONITOR' : 'OFFLINE'),
          pool_id: 'p1',
          address: '172.29.2.20',
          protocol_port: 80,
          subnet_id: null,
          weight: 1,
          backup: 0,
          monitor_address: null,
          monitor_port: null,
        })),
      },
    ],
  };
}

const hb = (over: object = {}) => ({
  amphora_id: 'a',
  applied_version: '1',
  sequence: '1',
  listeners: [{ id: 'l1', operating_status: 'ONLINE' }],
  pools: [{ id: 'p1', operating_status: 'ONLINE' }],
  members: [
    { id: 'm1', operating_status: 'ONLINE' },
    { id: 'm2', operating_status: 'NO_MONITOR' },
  ],
  ...over,
});

const full = (o: object) => o as never;

t.test('all reported healthy: everything ONLINE, only changes returned', async (t) => {
  const s = statusesFromHeartbeat(graph(), full(hb()));
  t.same(s, {
    loadBalancer: { id: 'lb', status: 'ONLINE' },
    listeners: { l1: 'ONLINE' },
    pools: { p1: 'ONLINE' },
    members: { m1: 'ONLINE' },
  });
});

t.test('a pool in ERROR makes the load balancer ERROR', async (t) => {
  const s = statusesFromHeartbeat(graph(), full(hb({ pools: [{ id: 'p1', operating_status: 'ERROR' }] })));
  t.equal(s.loadBalancer?.status, 'ERROR');
  t.equal(s.pools?.p1, 'ERROR');
});

t.test(
  'unreported objects: listener ERROR when ACTIVE, OFFLINE while provisioning; members keep NO_MONITOR',
  async (t) => {
    const s = statusesFromHeartbeat(graph(), full(hb({ listeners: [], members: [] })));
    t.equal(s.listeners?.l1, 'ERROR');
    t.equal(s.members?.m1, undefined, 'm1 was OFFLINE already');
    t.equal(s.members?.m2, undefined, 'm2 keeps NO_MONITOR');
    const pending = statusesFromHeartbeat(graph('PENDING_UPDATE'), full(hb({ listeners: [] })));
    t.equal(pending.listeners?.l1, undefined, 'OFFLINE, as it was');
  },
);

t.test('a disabled load balancer is OFFLINE; unknown status strings are ignored', async (t) => {
  const g = graph();
  g.loadBalancer.enabled = 0;
  g.loadBalancer.operating_status = 'ONLINE';
  const s = statusesFromHeartbeat(g, full(hb({ listeners: [{ id: 'l1', operating_status: 'BOGUS' }] })));
  t.same(s.loadBalancer, { id: 'lb', status: 'OFFLINE' });
  t.equal(s.listeners?.l1, 'ERROR', 'a bogus report counts as not reported');
});

t.test('stale: load balancer ERROR, objects OFFLINE', async (t) => {
  const g = graph();
  g.listeners[0]!.operating_status = 'ONLINE';
  t.same(statusesWhenStale(g), {
    loadBalancer: { id: 'lb', status: 'ERROR' },
    listeners: { l1: 'OFFLINE' },
    pools: {},
    members: { m2: 'OFFLINE' },
  });
});
