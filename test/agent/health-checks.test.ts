// The MemberHealthChecker with real servers: rise/fall transitions, monitor_address/port,
// NO_MONITOR cases, update() keeping and dropping members, bounded concurrency, close().
import t, { type Test } from 'tap';
import { createServer } from 'node:net';
import type { Logger, LogFields } from '../../src/agent/log.js';
import { MemberHealthChecker, type MemberHealthChange } from '../../src/health/checks/index.js';
import { waitFor } from '../lib/netns.js';
import { member, monitor, pool } from './fixtures/hc-pools.js';
import { closedPort, httpServer, tcpServer } from './fixtures/hc-servers.js';

function recordingLog() {
  const lines: { level: string; event: string; fields?: LogFields }[] = [];
  const log: Logger = {
    info: (event, fields) => lines.push({ level: 'info', event, fields }),
    warn: (event, fields) => lines.push({ level: 'warn', event, fields }),
    error: (event, fields) => lines.push({ level: 'error', event, fields }),
  };
  return { log, lines };
}

function checker(t: Test, opts: ConstructorParameters<typeof MemberHealthChecker>[0] = {}) {
  const c = new MemberHealthChecker(opts);
  const changes: MemberHealthChange[][] = [];
  c.onChange((changed) => changes.push(changed));
  t.teardown(() => c.close());
  return { c, changes };
}

t.test(
  'an HTTP member goes ERROR after max_retries_down failures and back after max_retries successes',
  async (t) => {
    const { port, seen, state } = await httpServer(t);
    const { c, changes } = checker(t);
    const hm = monitor({ type: 'HTTP', max_retries_down: 3, max_retries: 2, expected_codes: '200-204' });
    c.update([pool('p', [member('m1', port)], hm)]);
    t.equal(c.status('m1'), 'ONLINE', 'a new member starts ONLINE');
    await waitFor('first probe', () => (seen.length >= 1 ? true : undefined));

    state.status = 503;
    const failingFrom = seen.length;
    const down = await waitFor(
      'ERROR',
      () => (c.status('m1') === 'ERROR' ? seen.length - failingFrom : undefined),
      100,
      100,
      15_000,
    );
    t.equal(down, 3, 'ERROR after exactly max_retries_down failed probes');
    t.same(changes.flat(), [{ memberId: 'm1', status: 'ERROR' }]);

    state.status = 204;
    const passingFrom = seen.length;
    const up = await waitFor(
      'ONLINE',
      () => (c.status('m1') === 'ONLINE' ? seen.length - passingFrom : undefined),
      100,
      100,
      15_000,
    );
    t.equal(up, 2, 'ONLINE after exactly max_retries successful probes');
    t.same(changes.flat(), [
      { memberId: 'm1', status: 'ERROR' },
      { memberId: 'm1', status: 'ONLINE' },
    ]);
  },
);

t.test('TCP: a member whose port closes goes ERROR; listening again brings it back', async (t) => {
  const port = await closedPort();
  const { log, lines } = recordingLog();
  const { c } = checker(t, { log });
  c.update([pool('p', [member('m1', port)], monitor({ type: 'TCP', max_retries_down: 1, max_retries: 1 }))]);
  await waitFor('ERROR', () => (c.status('m1') === 'ERROR' ? true : undefined));
  t.match(lines, [
    {
      level: 'warn',
      event: 'member_health_changed',
      fields: { member_id: 'm1', status: 'ERROR', reason: /ECONNREFUSED/ },
    },
  ]);
  const server = createServer((s) => s.on('error', () => {}));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  t.teardown(() => new Promise((r) => server.close(r)));
  await waitFor('ONLINE', () => (c.status('m1') === 'ONLINE' ? true : undefined));
  t.match(lines[1], { level: 'info', event: 'member_health_changed', fields: { status: 'ONLINE' } });
});

t.test('probes go to monitor_address and monitor_port when set', async (t) => {
  const monitored = await tcpServer(t, '127.0.0.2');
  const traffic = await tcpServer(t);
  const dead = await closedPort();
  const { c } = checker(t);
  const hm = monitor({ type: 'TCP', max_retries_down: 1 });
  c.update([
    pool(
      'p',
      [
        member('by-address', dead, { monitor_address: '127.0.0.2', monitor_port: monitored.port }),
        member('by-port', traffic.port, { monitor_port: dead }),
      ],
      hm,
    ),
  ]);
  await waitFor('by-port ERROR', () => (c.status('by-port') === 'ERROR' ? true : undefined));
  await waitFor('monitor address probed twice', () => (monitored.stats.connections >= 2 ? true : undefined));
  t.equal(c.status('by-address'), 'ONLINE');
  t.same([...monitored.stats.localAddresses], ['127.0.0.2']);
  t.equal(traffic.stats.connections, 0, 'the traffic port of by-port is never probed');
});

t.test(
  'NO_MONITOR: no monitor, monitor admin down, pool or member admin down, SCTP, invalid monitor',
  async (t) => {
    const probed = await tcpServer(t);
    const idle = await tcpServer(t);
    const { log, lines } = recordingLog();
    const { c } = checker(t, { log });
    const pools = [
      pool('control', [member('control', probed.port)], monitor()),
      pool('none', [member('none', idle.port)], null),
      pool('hm-down', [member('hm-down', idle.port)], monitor({ admin_state_up: false })),
      pool('pool-down', [member('pool-down', idle.port)], monitor(), { admin_state_up: false }),
      pool('member-down', [member('member-down', idle.port, { admin_state_up: false })], monitor()),
      pool('sctp', [member('sctp', idle.port)], monitor({ type: 'SCTP' })),
      pool('invalid', [member('invalid', idle.port)], monitor({ type: 'HTTP', expected_codes: '2xx' })),
    ];
    c.update(pools);
    c.update(pools); // problems are logged once, not at every update
    for (const id of ['none', 'hm-down', 'pool-down', 'member-down', 'sctp', 'invalid'])
      t.equal(c.status(id), 'NO_MONITOR', id);
    t.equal(c.status('unknown'), undefined);
    await waitFor('control probed twice', () => (probed.stats.connections >= 2 ? true : undefined));
    t.equal(idle.stats.connections, 0, 'members without a monitor are never probed');
    t.match(lines, [
      { event: 'health_monitor_not_run', fields: { subject: 'pool sctp', problem: /SCTP.*not supported/ } },
      { event: 'health_monitor_not_run', fields: { subject: 'pool invalid', problem: /expected_codes/ } },
    ]);
    t.equal(lines.length, 2);
  },
);

t.test('update(): unchanged members keep state; changed probes keep ERROR; removed ones stop', async (t) => {
  const dead = await closedPort();
  const live = await tcpServer(t);
  const removed = await tcpServer(t);
  const { c, changes } = checker(t);
  const hm = monitor({ type: 'TCP', max_retries_down: 1, max_retries: 3 });
  c.update([pool('p', [member('dead', dead), member('gone', removed.port)], hm)]);
  await waitFor('ERROR', () => (c.status('dead') === 'ERROR' ? true : undefined));
  await waitFor('gone probed', () => (removed.stats.connections >= 1 ? true : undefined));
  const seenChanges = changes.length;

  c.update([pool('p', [member('dead', dead, { weight: 5 }), member('new', live.port)], hm)]);
  t.equal(c.status('dead'), 'ERROR', 'unchanged probe: state kept');
  t.equal(c.status('new'), 'ONLINE');
  t.equal(c.status('gone'), undefined, 'removed member forgotten');
  const goneCount = removed.stats.connections;

  c.update([pool('p', [member('dead', dead, { monitor_port: live.port }), member('new', live.port)], hm)]);
  t.equal(c.status('dead'), 'ERROR', 'changed probe: ERROR kept until max_retries successes');
  await waitFor('back ONLINE', () => (c.status('dead') === 'ONLINE' ? true : undefined), 100, 100, 15_000);
  t.same(changes.slice(seenChanges).flat(), [{ memberId: 'dead', status: 'ONLINE' }]);
  t.equal(removed.stats.connections, goneCount, 'no probe of a removed member after update()');

  c.update([pool('p', [member('dead', dead), member('new', live.port)], null)]);
  t.same(c.status('dead'), 'NO_MONITOR');
  await new Promise((r) => setImmediate(r));
  t.same(
    changes.at(-1),
    [
      { memberId: 'dead', status: 'NO_MONITOR' },
      { memberId: 'new', status: 'NO_MONITOR' },
    ],
    'changes made by one update() arrive in one call',
  );
});

t.test('concurrency is bounded', async (t) => {
  const slow = await tcpServer(t, '127.0.0.1', 300);
  const { c } = checker(t, { maxConcurrentProbes: 4 });
  const members = Array.from({ length: 40 }, (_, i) => member(`m${i}`, slow.port));
  const hm = monitor({ type: 'HTTP', timeout: 1, delay: 1 });
  c.update([pool('p', members, hm)]);
  await waitFor(
    'every member probed',
    () => (slow.stats.connections >= 40 ? true : undefined),
    200,
    100,
    20_000,
  );
  t.ok(slow.stats.peak <= 4, `at most 4 probes at once (peak ${slow.stats.peak})`);
});

t.test('close() aborts probes in flight and stops all probing', async (t) => {
  const held = await tcpServer(t, '127.0.0.1', 60_000);
  const counted = await tcpServer(t);
  const { c, changes } = checker(t);
  c.update([
    pool('p', [member('held', held.port)], monitor({ type: 'HTTP', timeout: 30, delay: 2 })),
    pool('q', [member('counted', counted.port)], monitor({ delay: 1 })),
  ]);
  await waitFor('probe in flight', () =>
    held.stats.open === 1 && counted.stats.connections >= 1 ? true : undefined,
  );
  await c.close();
  await waitFor(
    'in-flight probe closed by the client',
    () => (held.stats.open === 0 ? true : undefined),
    50,
    100,
    5000,
  );
  const count = counted.stats.connections;
  t.equal(c.status('counted'), undefined);
  c.update([pool('q', [member('counted', counted.port)], monitor({ delay: 1 }))]);
  t.equal(c.status('counted'), undefined, 'update() after close() does nothing');
  await new Promise((r) => setTimeout(r, 2500));
  t.equal(counted.stats.connections, count, 'no probe after close()');
  t.same(changes, []);
});
