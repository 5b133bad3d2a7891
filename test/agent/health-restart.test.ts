// Member health across an agent SIGKILL, end to end: a member that health checks took out of
// the ring stays out when the restarted agent adopts the pinned maps (its remembered ERROR
// seeds the new probe), instead of getting new flows until max_retries_down probes fail again;
// it returns after max_retries successes once it answers.
import t from 'tap';
import { L4Lab } from './l4-harness.js';
import type { ServiceSpec } from './l4-config.js';

// A long delay: everything checked "right after the restart" happens well before one passes.
const DELAY_S = 5;
const SERVICE: ServiceSpec = {
  members: ['m1', 'm2'],
  protocols: ['TCP'],
  monitor: { type: 'TCP', delay: DELAY_S, timeout: 1, max_retries: 2, max_retries_down: 1 },
};

t.test('a member in ERROR stays out of the ring across an agent SIGKILL and restart', async (t) => {
  const lab = await L4Lab.create(t, { tag: 'r', subnet: 50, members: 2 });
  await lab.apply(SERVICE);
  await lab.waitMemberStatus('m2', 'ONLINE');

  await lab.stopMember('m2');
  await lab.waitMemberStatus('m2', 'ERROR');
  await lab.waitLog('the ERROR remembered', /"event":"remembered_health_written"[^\n]*"in_error":1/);
  const before = lab.requests('tcp', 20);
  t.same(before, { answers: { m1: 20 }, failures: 0 }, 'm2 is out of the ring: all to m1');

  t.equal(await lab.stopAgent('SIGKILL'), null, 'the agent is killed');
  await lab.startAgent();
  const startedAt = Date.now();
  await lab.waitLog('dataplane-open', /"event":"dataplane-open"/);
  await lab.apply(SERVICE, true); // the controller re-sends the applied config, as after any restart

  t.equal(await lab.memberStatus('m2'), 'ERROR', 'the first status after the restart: m2 ERROR');
  t.equal(await lab.memberStatus('m1'), 'ONLINE', 'and m1 ONLINE');
  // Read before the first probe could have decided anything: the statuses were remembered.
  const elapsed = Date.now() - startedAt;
  t.ok(elapsed < DELAY_S * 1000, `both read ${elapsed} ms after the restart, within one delay`);
  t.match(
    lab.agentLog,
    /"event":"remembered_health_used","members_in_error":\["m2"\],"not_used":0/,
    'the new agent starts m2 as remembered',
  );
  t.match(
    lab.agentLog,
    /"event":"maps-written","backends":0,"rings":0,"vips":0,"vips_deleted":0,"backends_deleted":0/,
    'the adopted ring (without m2) is not rewritten: m2 was never put back',
  );
  const after = lab.requests('tcp', 20);
  t.same(after, { answers: { m1: 20 }, failures: 0 }, 'new connections all reach m1');
  t.notMatch(lab.agentLog, /"event":"member_health_changed"/, 'no status flip: nothing changed');
  t.notMatch(lab.agentLog, /"event":"health-recompiled"/, 'no recompile was needed');

  const backAt = Date.now(); // before the member can answer a probe
  await lab.startMember('m2');
  await lab.waitMemberStatus('m2', 'ONLINE');
  t.match(
    lab.agentLog,
    /"event":"member_health_changed","member_id":"m2"[^\n]*"status":"ONLINE"/,
    'm2 answers again: ONLINE',
  );
  const back = Date.now() - backAt;
  // Two successes are one delay apart (less a probe that began just before the member was ready).
  t.ok(back >= DELAY_S * 1000 - 500, `after max_retries (2) successes: ${back} ms`);
  await lab.waitLog('remembered ONLINE', /"event":"remembered_health_written"[^\n]*"in_error":0/);
  const both = lab.requests('tcp', 40);
  t.equal(both.failures, 0, 'every connection answered');
  t.ok(
    (both.answers.m2 ?? 0) > 0 && (both.answers.m1 ?? 0) > 0,
    `both serve: ${JSON.stringify(both.answers)}`,
  );

  t.equal(await lab.stopAgent('SIGTERM'), 0, 'the agent stops cleanly');
});
