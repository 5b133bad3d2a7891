// One report from two sources: the fast path's counters for XDP listeners, HAProxy's
// stats for the ones routed to it; request_errors, DEGRADED at the connection limit,
// and what a listener routed to an absent HAProxy shows.
import t from 'tap';
import { objectReports } from '../../src/agent/report.js';
import type { ProxyStatus } from '../../src/agent/services.js';
import { zeroTraffic, type TrafficSnapshot } from '../../src/dataplane/driver.js';
import { compileFresh, listener, member, pool } from './compiler-fixture.js';

const compiled = compileFresh(
  [listener('fast', 'p1', { connection_limit: 4 }), listener('proxied', 'p2', { protocol_port: 81 })],
  [
    pool('p1', [member('a', '10.201.2.11'), member('b', '10.201.2.12')]),
    pool('p2', [member('c', '10.201.2.13')], { protocol: 'PROXY' }),
  ],
);
const vipId = compiled.allocations.vipIds.get('fast')!;
const idA = compiled.allocations.backendIds.get('a')!;
const idB = compiled.allocations.backendIds.get('b')!;

function traffic(active: bigint): TrafficSnapshot {
  return {
    vips: new Map([
      [vipId, { ...zeroTraffic(), bytesIn: 100n, active, drops: { CIDR: 2n, CONN_LIMIT: 3n } }],
    ]),
    backends: new Map([
      [idA, { ...zeroTraffic(), bytesIn: 60n, connections: 2n, active: 1n, drops: { FIB: 1n } }],
      [idB, { ...zeroTraffic(), bytesIn: 40n, connections: 1n, active: 2n, drops: { FIB: 2n } }],
    ]),
    exits: [],
  };
}

const proxy: ProxyStatus = {
  listeners: [
    {
      id: 'proxied',
      status: 'ONLINE',
      bytesIn: 10,
      bytesOut: 20,
      activeConnections: 1,
      totalConnections: 5,
      requestErrors: 2,
    },
  ],
  pools: [
    {
      id: 'p2',
      status: 'DEGRADED',
      bytesIn: 9,
      bytesOut: 19,
      activeConnections: 1,
      totalConnections: 5,
      requestErrors: 0,
    },
  ],
  members: [
    {
      id: 'c',
      status: 'ERROR',
      bytesIn: 9,
      bytesOut: 19,
      activeConnections: 1,
      totalConnections: 5,
      requestErrors: 0,
    },
  ],
};

t.test('fast path: request_errors are the drops, a pool sums its members', async (t) => {
  const r = objectReports({ compiled, traffic: traffic(1n), proxy });
  const fast = r.listeners.find((l) => l.id === 'fast')!;
  t.same([fast.status, fast.servedBy, fast.requestErrors, fast.traffic.bytesIn], ['ONLINE', 'xdp', 5n, 100n]);
  const p1 = r.pools.find((p) => p.id === 'p1')!;
  t.same(
    [p1.traffic.bytesIn, p1.traffic.connections, p1.traffic.active, p1.traffic.drops.FIB, p1.requestErrors],
    [100n, 3n, 3n, 3n, 3n],
  );
  t.same(
    p1.members.map((m) => m.id),
    ['a', 'b'],
  );
});

t.test('a fast-path listener at its connection limit is DEGRADED, as a FULL HAProxy frontend', async (t) => {
  const r = objectReports({ compiled, traffic: traffic(4n), proxy });
  t.equal(r.listeners.find((l) => l.id === 'fast')?.status, 'DEGRADED');
});

t.test("HAProxy's listeners, pools and members report what HAProxy says", async (t) => {
  const r = objectReports({ compiled, traffic: traffic(0n), proxy });
  const l = r.listeners.find((x) => x.id === 'proxied')!;
  t.same(
    [l.status, l.servedBy, l.traffic.bytesIn, l.traffic.bytesOut, l.traffic.connections, l.traffic.active],
    ['ONLINE', 'haproxy', 10n, 20n, 5n, 1n],
  );
  t.equal(l.requestErrors, 2n, "HAProxy's request errors");
  t.same(
    r.pools.filter((p) => p.id === 'p2').map((p) => [p.status, p.traffic.bytesOut]),
    [['DEGRADED', 19n]],
  );
  t.same(
    r.members.filter((m) => m.id === 'c').map((m) => [m.status, m.servedBy]),
    [['ERROR', 'haproxy']],
  );
});

t.test('without HAProxy (or its stats), its listeners are not known to be served: ERROR', async (t) => {
  const r = objectReports({ compiled, traffic: traffic(0n), proxy: null });
  t.same(
    r.listeners.map((l) => [l.id, l.status]),
    [
      ['fast', 'ONLINE'],
      ['proxied', 'ERROR'],
    ],
  );
  const notYet = objectReports({
    compiled,
    traffic: traffic(0n),
    proxy: { listeners: [], pools: [], members: [] },
  });
  t.equal(notYet.listeners[1]?.status, 'ONLINE', 'running but not reporting it yet: as compiled');
});
