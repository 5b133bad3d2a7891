// IPv6 end to end: a v6 VIP and v6 members, TCP and UDP, an open connection kept across a
// member change, and allowed_cidrs with IPv6 prefixes.
import t from 'tap';
import { L4Lab } from './l4-harness.js';

t.test('IPv6 VIP and members, TCP and UDP', async (t) => {
  const lab = await L4Lab.create(t, { tag: '6', subnet: 40, members: 3, clientSources: 1 });
  const all = ['m1', 'm2', 'm3'];
  const host = lab.vip6;

  t.test('TCP and UDP are served and spread over the members', async (t) => {
    await lab.apply({ family: 6, members: all });
    for (const proto of ['tcp', 'udp'] as const) {
      const c = lab.requests(proto, 60, { host });
      t.equal(c.failures, 0, `${proto}: every request to [${host}] answered`);
      t.same(
        Object.keys(c.answers).sort(),
        all,
        `${proto}: over the three members: ${JSON.stringify(c.answers)}`,
      );
    }
    // Without a health monitor Octavia reports NO_MONITOR; ERROR would mean not served.
    const status = await lab.status();
    t.same(
      status.members.filter((m) => m.operating_status === 'ERROR').map((m) => m.id),
      [],
      'no v6 member reported in ERROR',
    );
  });

  t.test('an open connection keeps its member when the pool changes', async (t) => {
    await lab.apply({ family: 6, members: ['m1', 'm2'] });
    const held = await lab.hold(16, { host });
    t.teardown(() => held.close());
    t.notOk(held.members.includes(null), `every connection answered: ${held.members.join(' ')}`);
    await lab.apply({ family: 6, members: all });
    t.same(await held.ask(), held.members, 'every connection still reaches its member');
  });

  t.test('allowed_cidrs with an IPv6 prefix', async (t) => {
    const [inside] = lab.clientSources6; // fd00:211:40::20; the primary fd00:211:40::10 is outside
    await lab.apply({ family: 6, members: all, allowedCidrs: [`${inside}/128`, '10.211.99.0/24'] });
    for (const proto of ['tcp', 'udp'] as const) {
      t.equal(
        lab.requests(proto, 3, { host, source: 'fd00:211:40::10' }).failures,
        3,
        `${proto} from fd00:211:40::10 (outside): refused`,
      );
      t.equal(
        lab.requests(proto, 10, { host, source: inside }).failures,
        0,
        `${proto} from ${inside}: served`,
      );
    }
  });

  t.test('v6 members are health checked: one failing leaves, and returns', async (t) => {
    await lab.apply({ family: 6, members: all, monitor: { type: 'TCP', delay: 1, timeout: 1 } });
    for (const m of all) await lab.waitMemberStatus(m, 'ONLINE');
    await lab.stopMember('m3');
    await lab.waitMemberStatus('m3', 'ERROR');
    const c = lab.requests('tcp', 30, { host });
    t.equal(c.failures, 0, 'every request answered');
    t.notOk(c.answers.m3, `nothing reaches the failing m3: ${JSON.stringify(c.answers)}`);
    await lab.startMember('m3');
    await lab.waitMemberStatus('m3', 'ONLINE');
    t.ok(lab.requests('tcp', 60, { host }).answers.m3, 'm3 back: it takes new connections again');
  });
});
