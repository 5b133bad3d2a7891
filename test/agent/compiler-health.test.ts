// Health-check results in the compiler: a failing member leaves the ring (its backend
// stays for the flows it has), backups take over when no primary is up, and every
// operating status Octavia shows comes out right.
import t from 'tap';
import type { MemberHealth } from '../../src/dataplane/compiler.js';
import { compileFresh, listener, member, pool, ringBackends, VIP4 } from './compiler-fixture.js';

const tcpMonitor = { type: 'TCP', delay: 1, timeout: 1, max_retries: 1, admin_state_up: true };
const failing =
  (...ids: string[]): MemberHealth =>
  (id) =>
    ids.includes(id) ? 'ERROR' : 'ONLINE';

function ringOf(c: ReturnType<typeof compileFresh>): string[] {
  const ringId = c.desired.vips.get(`TCP ${VIP4} 80`)?.ringId ?? -1;
  const ids = ringBackends(c.desired, ringId);
  return c.members.filter((m) => m.backendId !== null && ids.has(m.backendId)).map((m) => m.id);
}

const statuses = (c: ReturnType<typeof compileFresh>) => c.members.map((m) => [m.id, m.status]);

t.test('a member failing its checks leaves the ring, keeps its backend, and degrades the pool', async (t) => {
  const members = [member('a', '10.201.2.11'), member('b', '10.201.2.12'), member('c', '10.201.3.13')];
  const hm = { health_monitor: tcpMonitor };
  const healthy = compileFresh([listener('l1', 'p1')], [pool('p1', members, hm)], { health: failing() });
  t.same(ringOf(healthy), ['a', 'b', 'c']);
  t.same(healthy.pools[0]?.status, 'ONLINE');

  const c = compileFresh([listener('l1', 'p1')], [pool('p1', members, hm)], { health: failing('b') });
  t.same(ringOf(c), ['a', 'c']);
  t.equal(c.desired.backends.size, 3, "b's backend stays: its existing flows finish");
  t.same(statuses(c), [
    ['a', 'ONLINE'],
    ['b', 'ERROR'],
    ['c', 'ONLINE'],
  ]);
  t.equal(c.pools[0]?.status, 'DEGRADED');
  t.same(
    c.members.map((m) => m.inRing),
    [true, false, true],
  );

  const allDown = compileFresh([listener('l1', 'p1')], [pool('p1', members, hm)], {
    health: failing('a', 'b', 'c'),
  });
  t.same(ringOf(allDown), []);
  t.equal(allDown.pools[0]?.status, 'ERROR', 'no member up');
});

t.test('a disabled monitor: results are ignored and members are NO_MONITOR', async (t) => {
  const members = [member('a', '10.201.2.11'), member('b', '10.201.2.12')];
  const c = compileFresh(
    [listener('l1', 'p1')],
    [pool('p1', members, { health_monitor: { ...tcpMonitor, admin_state_up: false } })],
    { health: failing('a') },
  );
  t.same(ringOf(c), ['a', 'b']);
  t.same(statuses(c), [
    ['a', 'NO_MONITOR'],
    ['b', 'NO_MONITOR'],
  ]);
});

t.test('backups serve only while no primary is up, health included', async (t) => {
  const members = [
    member('p', '10.201.2.11'),
    member('q', '10.201.2.12'),
    member('spare1', '10.201.2.21', { backup: true }),
    member('spare2', '10.201.2.22', { backup: true }),
  ];
  const compileWith = (...down: string[]) =>
    compileFresh([listener('l1', 'p1')], [pool('p1', members, { health_monitor: tcpMonitor })], {
      health: failing(...down),
    });
  t.same(ringOf(compileWith()), ['p', 'q'], 'primaries up: backups stand by');
  t.same(ringOf(compileWith('p')), ['q'], 'one primary left: still no backup');
  t.same(ringOf(compileWith('p', 'q')), ['spare1', 'spare2'], 'no primary up: the backups take over');
  t.same(ringOf(compileWith('p', 'q', 'spare1')), ['spare2']);
  const none = compileWith('p', 'q', 'spare1', 'spare2');
  t.same(ringOf(none), []);
  t.equal(none.pools[0]?.status, 'ERROR');
  t.same(statuses(compileWith()), [
    ['p', 'ONLINE'],
    ['q', 'ONLINE'],
    ['spare1', 'ONLINE'],
    ['spare2', 'ONLINE'],
  ]);
});

t.test('member statuses: OFFLINE, ERROR, DRAINING, NO_MONITOR, ONLINE', async (t) => {
  const members = [
    member('disabled', '10.201.2.11', { admin_state_up: false }),
    member('unreachable', '192.0.2.9'),
    member('drained', '10.201.2.13', { weight: 0 }),
    member('drained-failing', '10.201.2.14', { weight: 0 }),
    member('fine', '10.201.2.15'),
    member('unknown-yet', '10.201.2.16'),
  ];
  const health: MemberHealth = (id) =>
    id === 'drained-failing' ? 'ERROR' : id === 'unknown-yet' ? undefined : 'ONLINE';
  const monitored = compileFresh(
    [listener('l1', 'p1')],
    [pool('p1', members, { health_monitor: tcpMonitor })],
    {
      health,
    },
  );
  t.same(statuses(monitored), [
    ['disabled', 'OFFLINE'],
    ['unreachable', 'ERROR'],
    ['drained', 'DRAINING'],
    ['drained-failing', 'ERROR'],
    ['fine', 'ONLINE'],
    ['unknown-yet', 'ONLINE'],
  ]);
  t.equal(monitored.pools[0]?.status, 'DEGRADED');

  const unmonitored = compileFresh([listener('l1', 'p1')], [pool('p1', members)]);
  t.same(
    statuses(unmonitored).map(([, s]) => s),
    ['OFFLINE', 'ERROR', 'DRAINING', 'DRAINING', 'NO_MONITOR', 'NO_MONITOR'],
  );
  // A monitor the checker cannot run (SCTP): it says NO_MONITOR, so do we.
  const unsupported = compileFresh(
    [listener('l1', 'p1')],
    [pool('p1', [member('fine', '10.201.2.15')], { health_monitor: { ...tcpMonitor, type: 'SCTP' } })],
    { health: () => 'NO_MONITOR' },
  );
  t.same(statuses(unsupported), [['fine', 'NO_MONITOR']]);
});

t.test('a disabled pool: members OFFLINE, pool OFFLINE, ring empty; listener statuses', async (t) => {
  const c = compileFresh(
    [listener('l1', 'p1'), listener('l2', 'p1', { protocol_port: 81, admin_state_up: false })],
    [pool('p1', [member('a', '10.201.2.11')], { admin_state_up: false })],
  );
  t.same(statuses(c), [['a', 'OFFLINE']]);
  t.equal(c.pools[0]?.status, 'OFFLINE');
  t.same(ringOf(c), []);
  t.same(
    c.listeners.map((l) => [l.id, l.status]),
    [
      ['l1', 'ONLINE'],
      ['l2', 'OFFLINE'],
    ],
  );
  t.equal(c.desired.vips.get(`TCP ${VIP4} 81`)?.flags, 0, 'a disabled listener drops');
});
