// A listener moving between HAProxy and XDP keeps its open connections, end to end through
// the real agent. The TCP listener's pool protocol decides: PROXY needs HAProxy (it sends the
// PROXY v1 header), TCP is XDP's. HAProxy -> XDP: HAProxy drains, and XDP passes the segments
// of connections it has no conntrack entry for, but a local socket owns, to the kernel
// (exit reason PASS_LOCAL_SOCKET). XDP -> HAProxy: the conntrack entries keep forwarding
// after the VIP left lb_vips. The member (l4-proxy-member.mjs) tells which way each
// connection came: "m1 proxy:<client>" through HAProxy, "m1 plain" through XDP.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { L4Lab, root } from './l4-harness.js';
import { PORT, type ServiceSpec } from './l4-config.js';
import { pinnedState } from './l4-pins.js';
import { JsonLines } from './l4-process.js';

const CLIENT = '10.211.60.10'; // the client namespace's first address (subnet 60)
const VIA_HAPROXY = `m1 proxy:${CLIENT}`;
const VIA_XDP = 'm1 plain';
const IFACES = ['vxlvip0', 'vxlmem0'];
const PROXIED: ServiceSpec = { members: ['m1'], protocols: ['TCP'], tcpPoolProtocol: 'PROXY' };
const DIRECT: ServiceSpec = { members: ['m1'], protocols: ['TCP'] };
const ROUND_TRIPS = 5;

/** The HAProxy processes (masters and workers) in the amphora namespace. */
function haproxyPids(lab: L4Lab): number[] {
  let out: string;
  try {
    out = execFileSync('ip', ['netns', 'pids', lab.amp], { encoding: 'utf8' });
  } catch {
    return []; // the namespace is gone
  }
  return out
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'haproxy';
      } catch {
        return false;
      }
    });
}

/**
 * The agent leaves HAProxy running when it stops (for the next agent to adopt): stop the
 * agent, then kill what HAProxy left in the amphora namespace. Bounded.
 */
async function stopAgentAndHaproxy(lab: L4Lab): Promise<void> {
  await lab.stopAgent('SIGTERM').catch(() => {}); // not running any more
  for (let i = 0; i < 50; i++) {
    const pids = haproxyPids(lab);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function flowKeys(lab: L4Lab): Set<string> {
  return pinnedState(lab.pinRoot, lab.net, lab.amp, IFACES).flows;
}

async function waitUntil(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test('a TCP listener moving between HAProxy and XDP keeps its open connections', async (t) => {
  const lab = await L4Lab.create(t, { tag: 'v', subnet: 60, members: 1 });
  t.teardown(() => stopAgentAndHaproxy(lab)); // before the lab's own teardown (LIFO)
  await lab.stopMember('m1');
  const member = lab.net.spawn(lab.member('m1').ns, process.execPath, [
    join(root, 'test', 'agent', 'fixtures', 'l4-proxy-member.mjs'),
    'm1',
    String(PORT),
  ]);
  await new JsonLines(member, 'member m1 (PROXY v1)').raw(/^ready$/);

  t.test('HAProxy -> XDP (pool protocol PROXY -> TCP): the HAProxy connection keeps working', async (t) => {
    await lab.apply(PROXIED);
    const held = await lab.hold(1);
    t.teardown(() => held.close());
    t.same(held.members, [VIA_HAPROXY], 'HAProxy serves the listener: the member got a PROXY header');
    const haproxy = haproxyPids(lab);
    t.ok(haproxy.length >= 2, `HAProxy master and worker run (${haproxy.join(' ')})`);
    const passedBefore = lab.exitPackets('pass_local_socket');

    await lab.apply(DIRECT);
    for (let i = 0; i < ROUND_TRIPS; i++) {
      t.same(await held.ask(), [VIA_HAPROXY], `round trip ${i + 1} after the move, still through HAProxy`);
    }
    const passed = lab.exitPackets('pass_local_socket');
    t.ok(
      passed > passedBefore,
      `XDP passed its segments to HAProxy's socket: PASS_LOCAL_SOCKET ${passedBefore} -> ${passed}`,
    );

    const flowsBefore = flowKeys(lab);
    const fresh = await lab.hold(1);
    t.teardown(() => fresh.close());
    t.same(fresh.members, [VIA_XDP], 'a new connection reaches the member without a PROXY header');
    const added = [...flowKeys(lab)].filter((k) => !flowsBefore.has(k));
    t.ok(added.length >= 2, `XDP forwards it: ${added.length} new conntrack entries (forward and reverse)`);
    t.same(lab.requests('tcp', 5), { answers: { [VIA_XDP]: 5 }, failures: 0 }, 'new connections all via XDP');
    t.same(await held.ask(), [VIA_HAPROXY], 'the old connection still answers beside them');

    held.close();
    await waitUntil(
      'the drained HAProxy to exit once its client closed',
      () => haproxyPids(lab).length === 0,
    );
    t.pass('HAProxy exits once its last connection closed');
    fresh.close();
  });

  t.test('XDP -> HAProxy (pool protocol TCP -> PROXY): the XDP flow keeps working', async (t) => {
    await lab.apply(DIRECT);
    const held = await lab.hold(1);
    t.teardown(() => held.close());
    t.same(held.members, [VIA_XDP], 'XDP serves the listener');

    const fibDropsBefore = lab.exitPackets('drop_fib');
    await lab.apply(PROXIED);
    t.ok(haproxyPids(lab).length >= 2, 'HAProxy runs again');
    for (let i = 0; i < ROUND_TRIPS; i++) {
      t.same(await held.ask(), [VIA_XDP], `round trip ${i + 1} after the move, still through XDP`);
    }
    t.same(
      lab.requests('tcp', 5),
      { answers: { [VIA_HAPROXY]: 5 }, failures: 0 },
      'new connections all via HAProxy',
    );
    t.same(await held.ask(), [VIA_XDP], 'the old flow still answers beside them');
    // The member left XDP's backends: its neighbour entry must outlive the flows to it.
    const fibDrops = lab.exitPackets('drop_fib') - fibDropsBefore;
    t.equal(fibDrops, 0, 'none of its packets dropped for want of a route or neighbour (DROP_FIB)');
  });
});
