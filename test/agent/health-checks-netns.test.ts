// PING inside a test namespace, as the agent runs inside the amphora's: the namespace's own
// address answers, an address on its link with no host behind it does not, and the checker
// takes that member to ERROR. No packet leaves the namespace.
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Netns, requireNetnsPrivileges, waitFor } from '../lib/netns.js';
import { member, monitor, pool } from './fixtures/hc-pools.js';

const fixture = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'hc-checker-in-ns.ts');

t.test('PING: answered inside the namespace, unanswered address goes ERROR (IPv4 and IPv6)', async (t) => {
  requireNetnsPrivileges();
  const net = new Netns('vxhc');
  t.teardown(() => net.cleanup());
  const ns = net.add(`vxhc-ping-${process.pid}`);
  // A veth pair with both ends in the namespace: the peer has no address, so nothing answers.
  net.ip(ns, 'link', 'add', 'vxhc0', 'type', 'veth', 'peer', 'name', 'vxhc1');
  net.ip(ns, 'link', 'set', 'vxhc0', 'up');
  net.ip(ns, 'link', 'set', 'vxhc1', 'up');
  net.ip(ns, 'addr', 'add', '10.208.0.1/24', 'dev', 'vxhc0');
  net.ip(ns, 'addr', 'add', 'fd00:208::1/64', 'dev', 'vxhc0', 'nodad');

  const hm = monitor({ type: 'PING', delay: 1, timeout: 1, max_retries_down: 2 });
  const pools = [
    pool(
      'v4',
      [member('self4', 0, { address: '10.208.0.1' }), member('nohost4', 0, { address: '10.208.0.2' })],
      hm,
    ),
    pool(
      'v6',
      [member('self6', 0, { address: 'fd00:208::1' }), member('nohost6', 0, { address: 'fd00:208::2' })],
      hm,
    ),
  ];
  const child = net.spawn(ns, process.execPath, [...process.execArgv, fixture, JSON.stringify(pools)]);
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    const parts = (buffered + text).split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));

  const errors = await waitFor(
    'both unanswered members in ERROR',
    () => {
      if (child.exitCode !== null) throw new Error(`fixture exited ${child.exitCode}: ${stderr}`);
      const changed = lines.flatMap(
        (l) => (l.changed as { memberId: string; status: string }[] | undefined) ?? [],
      );
      const inError = changed.filter((c) => c.status === 'ERROR').map((c) => c.memberId);
      return inError.length === 2 ? inError.sort() : undefined;
    },
    300,
    100,
    30_000,
  );
  t.same(errors, ['nohost4', 'nohost6']);
  t.match(lines.slice(0, 4), [
    { memberId: 'self4', probe: { ok: true } },
    { memberId: 'nohost4', probe: { ok: false } },
    { memberId: 'self6', probe: { ok: true } },
    { memberId: 'nohost6', probe: { ok: false } },
  ]);
  const changedSelf = lines.some((l) =>
    ((l.changed as { memberId: string }[] | undefined) ?? []).some((c) => c.memberId.startsWith('self')),
  );
  t.notOk(changedSelf, 'answered members stay ONLINE');
});
