// Who may connect and which members take new connections, as a client sees it: drain,
// backup members, allowed_cidrs, connection_limit, and members leaving and rejoining on
// their health checks. Status as GetStatus reports it.
import t from 'tap';
import { waitFor } from '../lib/netns.js';
import { L4Lab } from './l4-harness.js';
import type { ServiceSpec } from './l4-config.js';

t.test('membership: drain, backup, allowed_cidrs, connection_limit, health checks', async (t) => {
  const lab = await L4Lab.create(t, { tag: 'm', subnet: 30, members: 3, clientSources: 2 });
  const all = ['m1', 'm2', 'm3'];
  const statusIs = (id: string, want: string) => lab.waitMemberStatus(id, want);

  // First, while the listener has no connections of earlier subtests still counted.
  t.test('connection_limit: connections over the limit are refused', async (t) => {
    await lab.apply({ members: all, connectionLimit: 5, tcpClosingTimeoutMs: 1000 });
    const held = await lab.hold(5);
    t.teardown(() => held.close());
    t.notOk(held.members.includes(null), `5 connections up to the limit answered: ${held.members.join(' ')}`);
    const over = await lab.hold(3);
    t.teardown(() => over.close());
    t.same(over.members, [null, null, null], 'the next 3 get no connection');
    t.equal(lab.requests('tcp', 2).failures, 2, 'nor does a new request');
    const tcp = (await lab.status()).listeners.find((l) => l.id === 'listener-tcp');
    t.ok(Number(tcp?.counters?.drops.CONN_LIMIT ?? 0) > 0, 'counted as CONN_LIMIT drops');
    held.close();
    over.close();
    await waitFor(
      'a connection accepted again',
      () => (lab.requests('tcp', 1).failures === 0 ? true : undefined),
      30,
      1000,
      40_000,
    );
    t.pass('once the open connections close, new ones are accepted again');
  });

  t.test('drain: weight 0 takes no new connections, open ones continue', async (t) => {
    await lab.apply({ members: all });
    const held = await lab.hold(12);
    t.teardown(() => held.close());
    const drained = held.members[0];
    if (!drained) throw new Error('the first held connection was not answered');
    await lab.apply({ members: all.map((name) => ({ name, weight: name === drained ? 0 : 1 })) });
    t.same(await held.ask(), held.members, 'every open connection still reaches its member');
    const c = lab.requests('tcp', 60);
    t.equal(c.failures, 0, 'every new request answered');
    t.notOk(c.answers[drained], `none reaches the drained ${drained}: ${JSON.stringify(c.answers)}`);
    t.equal(await lab.memberStatus(drained), 'DRAINING', `${drained} reports DRAINING`);
  });

  t.test('backup members serve only while no primary can', async (t) => {
    const spec = (primariesUp: boolean): ServiceSpec => ({
      members: [
        { name: 'm1', admin_state_up: primariesUp },
        { name: 'm2', admin_state_up: primariesUp },
        { name: 'm3', backup: true },
      ],
    });
    await lab.apply(spec(true));
    let c = lab.requests('tcp', 40);
    t.equal(c.failures, 0, 'every request answered');
    t.notOk(c.answers.m3, `the backup stands by while the primaries are up: ${JSON.stringify(c.answers)}`);
    await lab.apply(spec(false));
    c = lab.requests('tcp', 20);
    t.same(c, { answers: { m3: 20 }, failures: 0 }, 'primaries admin down: the backup takes everything');
    await lab.apply(spec(true));
    c = lab.requests('tcp', 40);
    t.equal(c.failures, 0, 'every request answered');
    t.notOk(c.answers.m3, `primaries back: the backup stands by again: ${JSON.stringify(c.answers)}`);
  });

  t.test('allowed_cidrs: sources outside get no connection', async (t) => {
    const [inside] = lab.clientSources; // 10.211.30.20; the primary 10.211.30.10 is outside
    await lab.apply({ members: all, allowedCidrs: ['10.211.30.20/31', 'fd00:211:99::/64'] });
    for (const proto of ['tcp', 'udp'] as const) {
      t.same(
        lab.requests(proto, 3, { source: '10.211.30.10' }).failures,
        3,
        `${proto} from 10.211.30.10 (outside): nothing answered`,
      );
      const ok = lab.requests(proto, 10, { source: inside });
      t.equal(ok.failures, 0, `${proto} from ${inside} (inside): every request answered`);
    }
    const tcp = (await lab.status()).listeners.find((l) => l.id === 'listener-tcp');
    t.ok(Number(tcp?.counters?.drops.CIDR ?? 0) > 0, 'the refused packets are counted as CIDR drops');
    t.match(
      lab.metrics(),
      /^velox_listener_drops_total\{(?=[^}]*listener="listener-tcp")(?=[^}]*reason="CIDR")[^}]*\} [1-9]/m,
      'and exported on /metrics',
    );
    await lab.apply({ members: all });
    t.equal(lab.requests('tcp', 3).failures, 0, 'without allowed_cidrs any source connects');
  });

  t.test('a member failing its TCP health check leaves, and returns when it recovers', async (t) => {
    const spec: ServiceSpec = { members: all, monitor: { type: 'TCP', delay: 1, timeout: 1 } };
    await lab.apply(spec);
    for (const m of all) await statusIs(m, 'ONLINE');
    t.pass('all members ONLINE under a TCP monitor');

    await lab.stopMember('m2');
    await statusIs('m2', 'ERROR');
    t.pass('m2 stopped: reported ERROR');
    let c = lab.requests('tcp', 30);
    t.same(c.failures, 0, 'no request fails: m2 left the ring');
    t.notOk(c.answers.m2, `nothing reaches m2: ${JSON.stringify(c.answers)}`);

    await lab.startMember('m2');
    await statusIs('m2', 'ONLINE');
    t.pass('m2 restarted: ONLINE again');
    c = lab.requests('tcp', 60);
    t.equal(c.failures, 0, 'every request answered');
    t.ok(c.answers.m2, `m2 takes new connections again: ${JSON.stringify(c.answers)}`);
  });

  t.test('a backup takes over when every primary fails its health check', async (t) => {
    await lab.apply({
      members: ['m1', 'm2', { name: 'm3', backup: true }],
      monitor: { type: 'TCP', delay: 1, timeout: 1 },
    });
    for (const m of all) await statusIs(m, 'ONLINE');
    await lab.stopMember('m1');
    await lab.stopMember('m2');
    await statusIs('m1', 'ERROR');
    await statusIs('m2', 'ERROR');
    t.same(lab.requests('tcp', 20), { answers: { m3: 20 }, failures: 0 }, 'the backup serves everything');
    await lab.startMember('m1');
    await lab.startMember('m2');
    await statusIs('m1', 'ONLINE');
    await statusIs('m2', 'ONLINE');
    const c = lab.requests('tcp', 40);
    t.equal(c.failures, 0, 'every request answered');
    t.notOk(c.answers.m3, `the primaries are back, the backup stands by: ${JSON.stringify(c.answers)}`);
  });
});
