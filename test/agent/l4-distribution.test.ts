// Where new connections go, as a client sees it, for each lb_algorithm, for weights and for
// SOURCE_IP session persistence. Bounds are loose enough for hashing (several standard
// deviations) and tight enough that the wrong algorithm fails.
import t from 'tap';
import { L4Lab, type Counts } from './l4-harness.js';

const total = (c: Counts) => Object.values(c.answers).reduce((a, b) => a + b, 0);
const share = (c: Counts, name: string) => (c.answers[name] ?? 0) / total(c);

/** The member each client source address reaches, asking `n` times per source. */
function bySource(lab: L4Lab, proto: 'tcp' | 'udp', n: number): Map<string, Counts> {
  return lab.requestsFrom(proto, n, lab.clientSources);
}

t.test('distribution by algorithm, weight and persistence', async (t) => {
  const lab = await L4Lab.create(t, { tag: 'd', subnet: 20, members: 3, clientSources: 8 });
  const all = ['m1', 'm2', 'm3'];

  // First, while the members' connection counters are fresh.
  t.test('LEAST_CONNECTIONS: new connections avoid a member holding many', async (t) => {
    await lab.apply({ algorithm: 'LEAST_CONNECTIONS', members: ['m1'] });
    const held = await lab.hold(100);
    t.teardown(() => held.close());
    t.same(new Set(held.members), new Set(['m1']), 'all 100 open connections on m1, the only member');
    await lab.apply({ algorithm: 'LEAST_CONNECTIONS', members: all });
    const c = lab.requests('tcp', 240);
    t.equal(c.failures, 0, 'every request answered');
    // Blind hashing would give m1 a third; choosing the lighter of two picks, about a ninth
    // (26.7 of 240, sd 4.9). The bound is over 5 sd above that and 3.7 sd below a third.
    t.ok(share(c, 'm1') < 0.22, `m1 (100 open) gets few of 240 new: ${JSON.stringify(c.answers)}`);
    t.ok((c.answers.m2 ?? 0) > 0 && (c.answers.m3 ?? 0) > 0, 'the idle members take them');
  });

  t.test('SOURCE_IP_PORT: connections from one client spread over every member', async (t) => {
    await lab.apply({ algorithm: 'SOURCE_IP_PORT', members: all });
    const c = lab.requests('tcp', 90);
    t.equal(c.failures, 0, 'every request answered');
    for (const m of all) t.ok((c.answers[m] ?? 0) >= 10, `${m} gets its share: ${JSON.stringify(c.answers)}`);
    const u = lab.requests('udp', 60);
    t.equal(u.failures, 0, 'every datagram answered');
    t.same(Object.keys(u.answers).sort(), all, `UDP too: ${JSON.stringify(u.answers)}`);
  });

  t.test('SOURCE_IP: one source, one member; several sources spread', async (t) => {
    await lab.apply({ algorithm: 'SOURCE_IP', members: all });
    // A source with no flows yet: a UDP flow the last test left (idle timeout 50 s) keeps its
    // member, so a reused source port from the default address could land elsewhere.
    const fresh = lab.clientSources[0] as string;
    for (const proto of ['tcp', 'udp'] as const) {
      const one = lab.requests(proto, 30, { source: fresh });
      t.equal(one.failures, 0, `${proto}: every request answered`);
      t.equal(
        Object.keys(one.answers).length,
        1,
        `${proto}: 30 from one source, one member: ${JSON.stringify(one.answers)}`,
      );
      const seen = new Set<string>();
      for (const [source, c] of bySource(lab, proto, 5)) {
        t.equal(
          Object.keys(c.answers).length,
          1,
          `${proto} from ${source}: one member ${JSON.stringify(c.answers)}`,
        );
        Object.keys(c.answers).forEach((m) => seen.add(m));
      }
      t.ok(seen.size >= 2, `${proto}: 8 sources reach several members: ${[...seen].join(' ')}`);
    }
  });

  t.test('ROUND_ROBIN: new connections evenly over the members', async (t) => {
    await lab.apply({ algorithm: 'ROUND_ROBIN', members: all });
    const c = lab.requests('tcp', 150);
    t.equal(c.failures, 0, 'every request answered');
    // Not random: per-CPU counters walk the ring, and on this ring any two runs of consecutive
    // slots adding up to 150 (two CPUs, any split) hold 31 to 68 of each member.
    for (const m of all) {
      const n = c.answers[m] ?? 0;
      t.ok(n >= 30 && n <= 70, `${m} gets about a third of 150: ${JSON.stringify(c.answers)}`);
    }
  });

  t.test('weights 1:3 are honoured', async (t) => {
    await lab.apply({
      algorithm: 'SOURCE_IP_PORT',
      members: [
        { name: 'm1', weight: 1 },
        { name: 'm2', weight: 3 },
      ],
    });
    const c = lab.requests('tcp', 200);
    t.equal(c.failures, 0, 'every request answered');
    const s = share(c, 'm2');
    t.ok(s >= 0.6 && s <= 0.88, `m2 (weight 3) gets about three quarters: ${JSON.stringify(c.answers)}`);
    t.notOk(c.answers.m3, 'no member outside the pool');
  });

  t.test('session persistence SOURCE_IP holds on a ROUND_ROBIN pool', async (t) => {
    await lab.apply({ algorithm: 'ROUND_ROBIN', persistence: 'SOURCE_IP', members: all });
    const one = lab.requests('tcp', 30);
    t.equal(one.failures, 0, 'every request answered');
    t.equal(
      Object.keys(one.answers).length,
      1,
      `one source sticks to one member: ${JSON.stringify(one.answers)}`,
    );
    const seen = new Set<string>();
    for (const [source, c] of bySource(lab, 'tcp', 5)) {
      t.equal(Object.keys(c.answers).length, 1, `${source} sticks: ${JSON.stringify(c.answers)}`);
      Object.keys(c.answers).forEach((m) => seen.add(m));
    }
    t.ok(seen.size >= 2, `different sources still spread: ${[...seen].join(' ')}`);
  });
});
