// lb_sweep (bpf/sweep.h) against planSweep (src/dataplane/conntrack.ts), the policy it
// implements: random tables of whole pairs, lone halves and orphans in every state and
// age, swept by the kernel, must end as the model says, entry for entry, with the same
// live counts per VIP and member.
import t from 'tap';
import {
  dumpFlows,
  planSweep,
  sweepConntrack,
  twinEntry,
  type CtEntry,
} from '../../src/dataplane/conntrack.js';
import { entryId } from '../../src/dataplane/ct-entry.js';
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  LB_CT_CLOSING,
  LB_CT_ESTABLISHED,
  LB_CT_SYN_SENT,
  LB_CT_UDP,
  LB_DIR_FORWARD,
  type Flow,
} from '../../src/dataplane/codecs.js';
import { LbFixture, SNAT_ADDR } from './lb-fixture.js';
import { installServices, SNAT_RANGE, TCP_SERVICE, UDP_SERVICE, VIP, VIP_LIMITS } from './service.js';

const fx = new LbFixture(t);
installServices(fx);

const S = 1_000_000_000n;
const GONE_VIP = 77; // flows of a VIP no longer in lb_vips age by Octavia's defaults

/** A small deterministic PRNG (mulberry32), so a failure can be replayed by its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function forward(i: number, rand: () => number, now: bigint): CtEntry {
  const tcp = rand() < 0.7;
  const vipId = rand() < 0.1 ? GONE_VIP : tcp ? TCP_SERVICE.vipId : UDP_SERVICE.vipId;
  const state = tcp ? [LB_CT_SYN_SENT, LB_CT_ESTABLISHED, LB_CT_CLOSING][Math.floor(rand() * 3)]! : LB_CT_UDP;
  const idleS = BigInt(Math.floor(rand() * 70)); // around every timeout: 5 s, 10 s, 50 s
  const member = Math.floor(rand() * 3);
  const flow: Flow = {
    natSrc: SNAT_ADDR,
    natDst: `10.200.2.${11 + member}`,
    natSport: 10000 + i,
    natDport: tcp ? 8080 : 5353,
    backendId: (tcp ? TCP_SERVICE.firstBackend : UDP_SERVICE.firstBackend) + member,
    vipId,
    dir: LB_DIR_FORWARD,
    state,
    l2Dst: '00:00:00:00:00:00',
    l2Src: '00:00:00:00:00:00',
    ifindex: 0,
    lastSeenNs: now - idleS * S,
  };
  const key = {
    src: `192.0.2.${1 + (i % 200)}`,
    dst: VIP,
    sport: 20000 + i,
    dport: tcp ? TCP_SERVICE.port : UDP_SERVICE.port,
    proto: tcp ? IPPROTO_TCP : IPPROTO_UDP,
  };
  return { key, flow };
}

/** 'pair' | 'forward only' | 'reverse only' | 'orphan' (its twin's key holds another flow's entry). */
function table(seed: number, n: number, now: bigint): CtEntry[] {
  const rand = rng(seed);
  const out: CtEntry[] = [];
  for (let i = 0; i < n; i++) {
    const fwd = forward(i, rand, now);
    const rev = twinEntry(fwd);
    // The pair's halves differ in state and age as real ones do (the later wins).
    if (rand() < 0.3)
      rev.flow = { ...rev.flow, lastSeenNs: fwd.flow.lastSeenNs + BigInt(Math.floor(rand() * 20)) * S };
    if (rand() < 0.2 && fwd.flow.state === LB_CT_SYN_SENT)
      rev.flow = { ...rev.flow, state: LB_CT_ESTABLISHED };
    const kind = rand();
    if (kind < 0.6) out.push(fwd, rev);
    else if (kind < 0.75) out.push(fwd);
    else if (kind < 0.9) out.push(rev);
    else {
      // Another live flow took the same member and SNAT port since: its reverse half holds
      // this forward half's twin key, so this half can never be whole again.
      const taker = {
        key: { ...fwd.key, sport: fwd.key.sport + 30000 },
        flow: { ...fwd.flow, state: LB_CT_ESTABLISHED, lastSeenNs: now },
      };
      out.push(fwd, taker, twinEntry(taker));
    }
  }
  return out;
}

function snapshot(): Map<string, CtEntry> {
  return new Map(dumpFlows(fx.nat, fx.maps.flows).map((e) => [entryId(e), e]));
}

for (const seed of [1, 2, 3, 42, 1234]) {
  t.test(`seed ${seed}: the kernel's sweep ends where the model says`, async (t) => {
    fx.clearFlows();
    const now = process.hrtime.bigint();
    for (const e of table(seed, 400, now)) fx.setFlow(e.key, e.flow);
    const before = snapshot();

    const vips = new Map([
      [TCP_SERVICE.vipId, VIP_LIMITS],
      [UDP_SERVICE.vipId, VIP_LIMITS],
    ]);
    const plan = planSweep([...before.values()], {
      vips,
      closingTimeoutMs: SNAT_RANGE.closingTimeoutMs,
      nowNs: now,
    });
    const result = sweepConntrack(fx.nat, fx.sweepProgFd, { nowNs: now });

    const expected = new Map(before);
    for (const group of plan.expired) for (const e of group) expected.delete(entryId(e));
    for (const e of plan.orphaned) expected.delete(entryId(e));
    for (const e of plan.repairs) expected.set(entryId(e), e);
    const after = snapshot();
    t.same([...after.keys()].sort(), [...expected.keys()].sort(), 'the same entries remain');
    for (const e of plan.repairs) {
      const got = after.get(entryId(e));
      t.same(
        got && { key: got.key, flow: got.flow },
        e,
        `repair ${entryId(e).slice(0, 24)}… as the model builds it`,
      );
    }
    t.equal(result.expired, plan.expired.flat().length, 'expired');
    t.equal(result.orphaned, plan.orphaned.length, 'orphaned');
    t.equal(result.repaired, plan.repairs.length, 'repaired');
    t.ok(
      plan.expired.length > 10 && plan.repairs.length > 10 && plan.orphaned.length > 5,
      'the table has every case',
    );

    for (const id of [TCP_SERVICE.vipId, UDP_SERVICE.vipId, GONE_VIP])
      t.equal(Number(fx.vipActive(id).active), plan.vipActive.get(id) ?? 0, `vip ${id} live pairs`);
    for (let b = 0; b < 6; b++)
      t.equal(Number(fx.backendActive(b).active), plan.backendActive.get(b) ?? 0, `member ${b} live pairs`);
  });
}
