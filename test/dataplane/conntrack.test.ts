// The conntrack sweep's policy (planSweep), without maps: which pairs expire by state and
// timeout, which halves are rebuilt or orphaned, and the live counts per VIP and member.
import t from 'tap';
import {
  DEFAULT_VIP_TIMEOUTS,
  planSweep,
  twinEntry,
  twinKey,
  type CtEntry,
  type SweepPolicy,
} from '../../src/dataplane/conntrack.js';
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  LB_CT_CLOSING,
  LB_CT_ESTABLISHED,
  LB_CT_SYN_SENT,
  LB_CT_UDP,
  LB_DIR_FORWARD,
  LB_DIR_REVERSE,
} from '../../src/dataplane/codecs.js';

const S = 1_000_000_000n;
const NOW = 1_000n * S;
const VIP = 7;
const policy: SweepPolicy = {
  vips: new Map([[VIP, { idleTimeoutMs: 50_000, synTimeoutMs: 5_000 }]]),
  closingTimeoutMs: 10_000,
  nowNs: NOW,
};

let nextPort = 40000;
/** A pair as the program makes it: client:port -> VIP:80 over SNAT 10.0.2.1:port -> member:8080. */
function pair(opts: {
  state: number;
  idleS: number;
  backend?: number;
  vip?: number;
  proto?: number;
  v6?: boolean;
}): {
  fwd: CtEntry;
  rev: CtEntry;
} {
  const port = nextPort++;
  const a = opts.v6
    ? { client: 'fd00::10', vip: 'fd00::100', snat: 'fd00:2::1', member: 'fd00:2::10' }
    : { client: '10.0.1.10', vip: '10.0.1.100', snat: '10.0.2.1', member: '10.0.2.10' };
  const fwd: CtEntry = {
    key: { src: a.client, dst: a.vip, sport: port, dport: 80, proto: opts.proto ?? IPPROTO_TCP },
    flow: {
      natSrc: a.snat,
      natDst: a.member,
      natSport: port + 10000,
      natDport: 8080,
      backendId: opts.backend ?? 3,
      vipId: opts.vip ?? VIP,
      dir: LB_DIR_FORWARD,
      state: opts.state,
      l2Dst: '00:00:00:00:00:00',
      l2Src: '00:00:00:00:00:00',
      ifindex: 0,
      lastSeenNs: NOW - BigInt(opts.idleS) * S,
    },
  };
  const rev = twinEntry(fwd);
  rev.flow = { ...rev.flow, l2Dst: '02:00:00:00:00:0a', l2Src: '02:00:00:00:00:01', ifindex: 4 };
  return { fwd, rev };
}

t.test('the twin of an entry is the entry the program would have made', async (t) => {
  const { fwd, rev } = pair({ state: LB_CT_ESTABLISHED, idleS: 1 });
  t.same(rev.key, {
    src: '10.0.2.10',
    dst: '10.0.2.1',
    sport: 8080,
    dport: fwd.flow.natSport,
    proto: IPPROTO_TCP,
  });
  t.match(rev.flow, { natSrc: '10.0.1.100', natDst: '10.0.1.10', natSport: 80, natDport: fwd.key.sport });
  t.equal(rev.flow.dir, LB_DIR_REVERSE);
  t.same(twinKey(rev), fwd.key, "the reverse's twin key is the forward key");
  t.same(twinEntry(rev).flow, fwd.flow, 'and its rebuilt twin the forward entry (no last hop)');
});

t.test('each state expires after its own timeout; a timeout of 0 never', async (t) => {
  const cases: [string, number, number, boolean][] = [
    ['SYN_SENT 4 s', LB_CT_SYN_SENT, 4, false],
    ['SYN_SENT 6 s', LB_CT_SYN_SENT, 6, true],
    ['ESTABLISHED 49 s', LB_CT_ESTABLISHED, 49, false],
    ['ESTABLISHED 51 s', LB_CT_ESTABLISHED, 51, true],
    ['UDP 51 s', LB_CT_UDP, 51, true],
    ['CLOSING 9 s', LB_CT_CLOSING, 9, false],
    ['CLOSING 11 s', LB_CT_CLOSING, 11, true],
  ];
  for (const [name, state, idleS, expires] of cases) {
    const p = pair({ state, idleS, proto: state === LB_CT_UDP ? IPPROTO_UDP : IPPROTO_TCP });
    const plan = planSweep([p.fwd, p.rev], policy);
    t.same(plan.expired, expires ? [[p.fwd, p.rev]] : [], name);
  }
  const never = {
    ...policy,
    vips: new Map([[VIP, { idleTimeoutMs: 0, synTimeoutMs: 0 }]]),
    closingTimeoutMs: 0,
  };
  for (const state of [LB_CT_SYN_SENT, LB_CT_ESTABLISHED, LB_CT_CLOSING]) {
    const p = pair({ state, idleS: 100_000 });
    t.same(planSweep([p.fwd, p.rev], never).expired, [], `state ${state} with timeout 0`);
  }
});

t.test("a VIP missing from lb_vips ages its flows by Octavia's defaults", async (t) => {
  const young = pair({
    state: LB_CT_ESTABLISHED,
    idleS: DEFAULT_VIP_TIMEOUTS.idleTimeoutMs / 1000 - 1,
    vip: 99,
  });
  const old = pair({
    state: LB_CT_ESTABLISHED,
    idleS: DEFAULT_VIP_TIMEOUTS.idleTimeoutMs / 1000 + 1,
    vip: 99,
  });
  const plan = planSweep([young.fwd, young.rev, old.fwd, old.rev], policy);
  t.same(plan.expired, [[old.fwd, old.rev]]);
});

t.test("a pair's state and last packet are the later of its halves'", async (t) => {
  const p = pair({ state: LB_CT_SYN_SENT, idleS: 30 });
  // The reverse half saw the reply (ESTABLISHED) 30 s ago but the forward half only 1 s ago.
  p.rev.flow.state = LB_CT_ESTABLISHED;
  p.fwd.flow.lastSeenNs = NOW - S;
  const plan = planSweep([p.rev, p.fwd], policy);
  t.same(plan.expired, [], 'judged ESTABLISHED (50 s), idle 1 s');
  t.same([...plan.vipActive], [[VIP, 1]]);

  const q = pair({ state: LB_CT_ESTABLISHED, idleS: 60 });
  q.rev.flow.state = LB_CT_CLOSING;
  q.rev.flow.lastSeenNs = NOW - 5n * S;
  const closing = planSweep([q.fwd, q.rev], policy);
  t.same(closing.expired, [], 'CLOSING 5 s ago: not yet');
  t.same([...closing.vipActive], [], 'but not active either');
});

t.test('live pairs are counted once per VIP and member; CLOSING and expired ones not', async (t) => {
  const entries = [
    pair({ state: LB_CT_ESTABLISHED, idleS: 1, backend: 3 }),
    pair({ state: LB_CT_ESTABLISHED, idleS: 1, backend: 3 }),
    pair({ state: LB_CT_SYN_SENT, idleS: 1, backend: 4 }),
    pair({ state: LB_CT_UDP, idleS: 1, backend: 5, vip: 8, proto: IPPROTO_UDP }),
    pair({ state: LB_CT_CLOSING, idleS: 1, backend: 4 }),
    pair({ state: LB_CT_ESTABLISHED, idleS: 100, backend: 4 }),
    pair({ state: LB_CT_ESTABLISHED, idleS: 1, backend: 6, v6: true }),
  ].flatMap((p) => [p.fwd, p.rev]);
  const plan = planSweep(entries, policy);
  t.same([...plan.vipActive].sort(), [
    [7, 4],
    [8, 1],
  ]);
  t.same([...plan.backendActive].sort(), [
    [3, 2],
    [4, 1],
    [5, 1],
    [6, 1],
  ]);
  t.equal(plan.expired.length, 1);
  t.same(plan.repairs, []);
  t.same(plan.orphaned, []);
});

t.test('a lone half is rebuilt into a pair, or removed when expired', async (t) => {
  const lostReverse = pair({ state: LB_CT_ESTABLISHED, idleS: 1 });
  const lostForward = pair({ state: LB_CT_SYN_SENT, idleS: 1, v6: true });
  const expiredHalf = pair({ state: LB_CT_SYN_SENT, idleS: 10 });
  const plan = planSweep([lostReverse.fwd, lostForward.rev, expiredHalf.rev], policy);
  const rebuiltReverse = {
    ...lostReverse.rev,
    flow: { ...lostReverse.rev.flow, l2Dst: '00:00:00:00:00:00' },
  };
  rebuiltReverse.flow.l2Src = '00:00:00:00:00:00';
  rebuiltReverse.flow.ifindex = 0;
  t.same(
    plan.repairs,
    [rebuiltReverse, lostForward.fwd],
    'reverse without last hop (the FIB decides); forward as made',
  );
  t.same(plan.expired, [[expiredHalf.rev]]);
  t.same([...plan.vipActive], [[VIP, 2]], 'rebuilt pairs count');
});

t.test('a half whose twin key another flow holds is orphaned, the other flow untouched', async (t) => {
  const old = pair({ state: LB_CT_ESTABLISHED, idleS: 1 });
  const other = pair({ state: LB_CT_ESTABLISHED, idleS: 1 });
  // The other flow's reverse entry took the old flow's reverse key (same SNAT port).
  const squatter = { key: old.rev.key, flow: other.rev.flow };
  const otherFwd = { ...other.fwd, flow: { ...other.fwd.flow, natSport: old.fwd.flow.natSport } };
  const plan = planSweep([old.fwd, squatter, otherFwd], policy);
  t.same(plan.orphaned, [old.fwd]);
  t.same(plan.repairs, []);
  t.same([...plan.vipActive], [[VIP, 1]]);
});
