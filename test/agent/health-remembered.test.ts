// Probed health kept across agent restarts (src/health/checks/remembered-health.ts): the file
// format and seeding policy, and two MemberHealthCheckers in a row on one file, as a killed
// and a restarted agent, probing a real closed port on loopback.
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger, LogFields } from '../../src/agent/log.js';
import { MemberHealthChecker, type MemberHealthChange } from '../../src/health/checks/index.js';
import {
  HealthMemory,
  initialStatus,
  parseRemembered,
  readRememberedHealth,
  RememberedHealthError,
  serializeRemembered,
  type RememberedProbe,
} from '../../src/health/checks/remembered-health.js';
import { waitFor } from '../lib/netns.js';
import { member, monitor, pool } from './fixtures/hc-pools.js';
import { closedPort } from './fixtures/hc-servers.js';

function recordingLog() {
  const lines: { level: string; event: string; fields?: LogFields }[] = [];
  const log: Logger = {
    info: (event, fields) => lines.push({ level: 'info', event, fields }),
    warn: (event, fields) => lines.push({ level: 'warn', event, fields }),
    error: (event, fields) => lines.push({ level: 'error', event, fields }),
  };
  return { log, lines };
}

function tmpDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'vx-remembered-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const fileMembers = (file: string): Record<string, RememberedProbe> =>
  (JSON.parse(readFileSync(file, 'utf8')) as { members: Record<string, RememberedProbe> }).members;

t.test('the file format round-trips; the remembered status applies only to the same probe', async (t) => {
  const remembered = new Map<string, RememberedProbe>([
    ['m2', { status: 'ONLINE', key: '{"b":2}' }],
    ['m1', { status: 'ERROR', key: '{"a":1}' }],
  ]);
  const text = serializeRemembered(remembered);
  t.same([...parseRemembered(text)].sort(), [...remembered].sort(), 'parse(serialize(x)) is x');
  t.equal(initialStatus(parseRemembered(text), 'm1', '{"a":1}'), 'ERROR', 'same member, same probe');
  t.equal(initialStatus(parseRemembered(text), 'm1', '{"a":9}'), 'ONLINE', 'another probe: ONLINE');
  t.equal(initialStatus(parseRemembered(text), 'm3', '{"a":1}'), 'ONLINE', 'unknown member: ONLINE');

  for (const bad of [
    '',
    '{"version":1,"members":{"m1":{"status":"ERROR"}',
    '[]',
    '{"version":2,"members":{}}',
    '{"version":1,"members":[]}',
    '{"version":1,"members":{"m1":{"status":"DRAINING","key":"k"}}}',
    '{"version":1,"members":{"m1":{"status":"ERROR","key":7}}}',
  ])
    t.throws(() => parseRemembered(bad), RememberedHealthError, `refused: ${bad || '(empty)'}`);
});

t.test('reading: no file is a first start; a corrupt one is logged and ignored', async (t) => {
  const dir = tmpDir(t);
  const { log, lines } = recordingLog();
  t.same([...readRememberedHealth(join(dir, 'none.json'), log)], [], 'no file: nothing remembered');
  t.same(lines, [], 'and nothing logged');

  const corrupt = join(dir, 'corrupt.json');
  writeFileSync(corrupt, '{"version":1,"members":{"m1":');
  t.same([...readRememberedHealth(corrupt, log)], []);
  t.match(lines, [{ level: 'warn', event: 'remembered_health_ignored', fields: { file: corrupt } }]);

  lines.length = 0;
  t.same([...readRememberedHealth(dir, log)], [], 'a directory where the file should be');
  t.match(lines, [{ level: 'warn', event: 'remembered_health_ignored', fields: { file: dir } }]);
});

t.test('writes are coalesced, skipped when unchanged, atomic and 0600; failures only logged', async (t) => {
  const dir = tmpDir(t);
  const file = join(dir, 'state', 'member-health.json'); // the directory is created
  let snapshots = 0;
  let current = new Map<string, RememberedProbe>([['m1', { status: 'ERROR', key: 'k' }]]);
  const { log, lines } = recordingLog();
  const memory = new HealthMemory({ file, log, snapshot: () => (snapshots++, current), coalesceMs: 50 });
  const nothing = new HealthMemory({ file, log, snapshot: () => new Map() });
  nothing.changed();
  await nothing.flush();
  t.notOk(existsSync(file), 'nothing to remember and no file: none is created');

  for (let i = 0; i < 100; i++) memory.changed();
  await memory.flush();
  t.equal(snapshots, 1, '100 changes in a burst: one snapshot, one write');
  t.same(fileMembers(file), { m1: { status: 'ERROR', key: 'k' } });
  t.equal(statSync(file).mode & 0o777, 0o600, 'mode 0600');
  t.equal(statSync(join(dir, 'state')).mode & 0o777, 0o700, 'its directory 0700');
  t.notOk(existsSync(`${file}.tmp`), 'no temporary file left');
  const mtime = statSync(file).mtimeMs;

  memory.changed();
  await memory.flush();
  t.equal(statSync(file).mtimeMs, mtime, 'the same content is not written again');

  current = new Map([['m1', { status: 'ONLINE', key: 'k' }]]);
  memory.changed();
  await waitFor('coalesced write', () => (fileMembers(file).m1?.status === 'ONLINE' ? true : undefined));
  t.pass('a later change is written after the coalescing delay, without flush');

  writeFileSync(join(dir, 'not-a-dir'), '');
  const failing = new HealthMemory({
    file: join(dir, 'not-a-dir', 'member-health.json'),
    log,
    snapshot: () => current,
    coalesceMs: 1,
  });
  for (const status of ['ERROR', 'ONLINE'] as const) {
    current = new Map([['m1', { status, key: 'k' }]]);
    failing.changed();
    await failing.flush();
  }
  const warnings = lines.filter((l) => l.event === 'remembered_health_not_written');
  t.equal(warnings.length, 1, 'an unwritable file: one warning for the same error, nothing thrown');
});

t.test('a restarted checker starts a member as its previous run left it', async (t) => {
  const dir = tmpDir(t);
  const file = join(dir, 'member-health.json');
  const port = await closedPort();
  const hm = monitor({ type: 'TCP', delay: 1, timeout: 1, max_retries: 2, max_retries_down: 1 });
  const pools = (hmNow = hm) => [pool('p', [member('m1', port)], hmNow)];

  // The first agent: m1 refuses connections and goes ERROR; the change is written.
  const first = new MemberHealthChecker({ rememberFile: file, rememberCoalesceMs: 20 });
  t.teardown(() => first.close());
  first.update(pools());
  await waitFor('m1 ERROR', () => (first.status('m1') === 'ERROR' ? true : undefined), 100, 100, 10_000);
  await waitFor('written', () => (fileMembers(file).m1?.status === 'ERROR' ? true : undefined));
  t.pass('the ERROR is written without a clean stop (as before a SIGKILL)');
  // The next agent reads the file while the first never closes (SIGKILL): close it only later.

  const { log, lines } = recordingLog();
  const second = new MemberHealthChecker({ rememberFile: file, log });
  t.teardown(() => second.close());
  const changes: MemberHealthChange[][] = [];
  second.onChange((c) => changes.push(c));
  t.equal(second.status('m1'), 'ERROR', 'before its first update (the first compile): ERROR');
  second.update(pools());
  t.equal(second.status('m1'), 'ERROR', 'the same probe starts ERROR, not ONLINE');
  await new Promise((r) => setImmediate(r));
  t.same(changes, [], 'no change to report: it never was ONLINE');
  t.match(lines, [{ event: 'remembered_health_used', fields: { members_in_error: ['m1'], not_used: 0 } }]);
  await first.close();

  const third = new MemberHealthChecker({ rememberFile: file });
  t.teardown(() => third.close());
  const thirdChanges: MemberHealthChange[][] = [];
  third.onChange((c) => thirdChanges.push(c));
  third.update(pools(monitor({ ...hm, delay: 5 })));
  t.equal(third.status('m1'), 'ONLINE', 'another probe (delay changed): ONLINE, as without the file');
  await new Promise((r) => setImmediate(r));
  t.same(thirdChanges, [[{ memberId: 'm1', status: 'ONLINE' }]], 'reported: the first compile had ERROR');
});

t.test('members gone are dropped from the file; a corrupt file does not stop the checker', async (t) => {
  const dir = tmpDir(t);
  const file = join(dir, 'member-health.json');
  const port = await closedPort();
  const hm = monitor({ type: 'TCP', delay: 10, timeout: 1 }); // no probe during the test
  const key = (c: MemberHealthChecker) => {
    c.update([pool('p', [member('m1', port)], hm)]);
    return c;
  };
  // The key of m1's probe, as a checker writes it.
  const probe = key(new MemberHealthChecker({ rememberFile: file }));
  await probe.close();
  const m1 = fileMembers(file).m1;
  t.equal(m1?.status, 'ONLINE');

  writeFileSync(
    file,
    serializeRemembered(
      new Map([
        ['m1', { status: 'ERROR', key: m1!.key }],
        ['gone', { status: 'ERROR', key: m1!.key }],
      ]),
    ),
  );
  const c = key(new MemberHealthChecker({ rememberFile: file, rememberCoalesceMs: 10 }));
  t.teardown(() => c.close());
  t.equal(c.status('m1'), 'ERROR');
  t.equal(c.status('gone'), undefined, 'a member no longer configured is unknown');
  await waitFor('rewritten', () => (fileMembers(file).gone ? undefined : true));
  t.same(Object.keys(fileMembers(file)), ['m1'], 'the next write keeps only members still probed');

  writeFileSync(file, 'not json at all');
  const { log, lines } = recordingLog();
  const fresh = key(new MemberHealthChecker({ rememberFile: file, log }));
  t.teardown(() => fresh.close());
  t.equal(fresh.status('m1'), 'ONLINE', 'corrupt file: every member starts ONLINE');
  t.match(lines, [{ level: 'warn', event: 'remembered_health_ignored', fields: { file } }]);
});
