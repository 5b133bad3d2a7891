// Conntrack states through BPF_PROG_TEST_RUN: a TCP pair is SYN_SENT until the member
// answers, ESTABLISHED then, CLOSING after a FIN or RST either way; a SYN reusing a closing
// or idle tuple opens a new pair; a non-SYN segment without a flow is dropped; a pair that
// lost one half to LRU eviction is repaired by the next packet that changes its state.
import t from 'tap';
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  LB_CT_CLOSING,
  LB_CT_ESTABLISHED,
  LB_CT_SYN_SENT,
  LB_CT_UDP,
  LB_DIR_REVERSE,
  type Flow,
  type FlowKey,
} from '../../src/dataplane/codecs.js';
import { parsePacket, tcpPacket, udpPacket, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../lib/packets.js';
import {
  CLIENT,
  CLIENT_IFACE,
  CLIENT_NET_MAC,
  LbFixture,
  MEMBER_IFACE,
  MEMBER_NET_MAC,
  SNAT_ADDR,
  XDP_DROP,
  XDP_REDIRECT,
} from './lb-fixture.js';
import { installServices, SNAT_RANGE, TCP_SERVICE, UDP_SERVICE, VIP, VIP_LIMITS } from './service.js';

const fx = new LbFixture(t);
installServices(fx);
fx.allowTxPort(MEMBER_IFACE);
const clientIfindex = fx.allowTxPort(CLIENT_IFACE);

const client = {
  srcMac: CLIENT.mac,
  dstMac: CLIENT_NET_MAC,
  src: CLIENT.addr,
  dst: VIP,
  dport: TCP_SERVICE.port,
};
const MS = 1_000_000n;

interface Pair {
  fwdKey: FlowKey;
  revKey: FlowKey;
  fwd: () => Flow | null;
  rev: () => Flow | null;
  /** A segment from the member to the SNAT port, as the member would send it. */
  fromMember: (flags: number) => Buffer;
  fromClient: (flags: number) => Buffer;
}

function pairOf(sport: number): Pair {
  const fwdKey = { src: CLIENT.addr, dst: VIP, sport, dport: TCP_SERVICE.port, proto: IPPROTO_TCP };
  const f = fx.flow(fwdKey);
  if (!f) throw new Error(`no forward entry for client port ${sport}`);
  const revKey = { src: f.natDst, dst: f.natSrc, sport: f.natDport, dport: f.natSport, proto: IPPROTO_TCP };
  return {
    fwdKey,
    revKey,
    fwd: () => fx.flow(fwdKey),
    rev: () => fx.flow(revKey),
    fromMember: (flags) =>
      tcpPacket({
        srcMac: '02:00:00:00:99:99',
        dstMac: MEMBER_NET_MAC,
        src: revKey.src,
        dst: SNAT_ADDR,
        sport: revKey.sport,
        dport: revKey.dport,
        flags,
      }),
    fromClient: (flags) => tcpPacket({ ...client, sport, flags }),
  };
}

/** Opens a TCP flow with a SYN from the client and returns its pair. */
function open(sport: number): Pair {
  const r = fx.runOn(CLIENT_IFACE, tcpPacket({ ...client, sport, flags: TCP_SYN }));
  if (r.retval !== XDP_REDIRECT) throw new Error(`SYN from port ${sport}: verdict ${r.retval}`);
  return pairOf(sport);
}

function untimed(f: Flow): Flow {
  return { ...f, lastSeenNs: 0n };
}

function states(p: Pair): [number | undefined, number | undefined] {
  return [p.fwd()?.state, p.rev()?.state];
}

/** Ages an entry: its last packet was `ms` milliseconds ago (bpf_ktime_get_ns is CLOCK_MONOTONIC, as hrtime). */
function age(key: FlowKey, ms: number): void {
  const f = fx.flow(key)!;
  fx.setFlow(key, { ...f, lastSeenNs: process.hrtime.bigint() - BigInt(ms) * MS });
}

t.test('a new TCP pair is SYN_SENT; the member reply establishes it; a FIN closes it', async (t) => {
  const before = process.hrtime.bigint();
  const p = open(41000);
  const after = process.hrtime.bigint();
  t.same(states(p), [LB_CT_SYN_SENT, LB_CT_SYN_SENT], 'SYN_SENT both ways');
  const seen = p.fwd()!.lastSeenNs;
  t.ok(seen >= before && seen <= after, 'last_seen is on the clock of process.hrtime (CLOCK_MONOTONIC)');

  t.equal(fx.runOn(CLIENT_IFACE, p.fromClient(TCP_ACK)).retval, XDP_REDIRECT, 'client data before any reply');
  t.same(states(p), [LB_CT_SYN_SENT, LB_CT_SYN_SENT], 'client packets alone do not establish');

  t.equal(fx.runOn(MEMBER_IFACE, p.fromMember(TCP_SYN | TCP_ACK)).retval, XDP_REDIRECT, 'SYN-ACK goes out');
  t.same(states(p), [LB_CT_ESTABLISHED, LB_CT_ESTABLISHED], 'ESTABLISHED both ways on the reply');

  t.equal(fx.runOn(CLIENT_IFACE, p.fromClient(TCP_ACK)).retval, XDP_REDIRECT);
  t.same(states(p), [LB_CT_ESTABLISHED, LB_CT_ESTABLISHED], 'an ACK changes nothing');

  t.equal(fx.runOn(CLIENT_IFACE, p.fromClient(TCP_FIN | TCP_ACK)).retval, XDP_REDIRECT, 'FIN forwarded');
  t.same(states(p), [LB_CT_CLOSING, LB_CT_CLOSING], 'CLOSING both ways on the client FIN');
  t.equal(
    fx.runOn(MEMBER_IFACE, p.fromMember(TCP_FIN | TCP_ACK)).retval,
    XDP_REDIRECT,
    'member FIN forwarded',
  );
  t.equal(fx.runOn(CLIENT_IFACE, p.fromClient(TCP_ACK)).retval, XDP_REDIRECT, 'last ACK forwarded');
  t.same(states(p), [LB_CT_CLOSING, LB_CT_CLOSING], 'still CLOSING');
});

t.test('an RST from the member closes an established pair', async (t) => {
  const p = open(41100);
  fx.runOn(MEMBER_IFACE, p.fromMember(TCP_SYN | TCP_ACK));
  t.equal(fx.runOn(MEMBER_IFACE, p.fromMember(TCP_RST)).retval, XDP_REDIRECT, 'RST reaches the client');
  t.same(states(p), [LB_CT_CLOSING, LB_CT_CLOSING]);
});

t.test('a UDP pair is tracked as LB_CT_UDP', async (t) => {
  const r = fx.runOn(
    CLIENT_IFACE,
    udpPacket({ ...client, dport: UDP_SERVICE.port, sport: 41200, payload: Buffer.from('q') }),
  );
  t.equal(r.retval, XDP_REDIRECT);
  const f = fx.flow({
    src: CLIENT.addr,
    dst: VIP,
    sport: 41200,
    dport: UDP_SERVICE.port,
    proto: IPPROTO_UDP,
  })!;
  t.equal(f.state, LB_CT_UDP);
  const rev = fx.flow({
    src: f.natDst,
    dst: f.natSrc,
    sport: f.natDport,
    dport: f.natSport,
    proto: IPPROTO_UDP,
  });
  t.equal(rev?.state, LB_CT_UDP);
});

t.test('a SYN on a CLOSING tuple replaces the old pair with a new one', async (t) => {
  const p = open(41300);
  // Move the old pair to another SNAT port, so the new pair is told apart from it.
  const oldRevKey = {
    ...p.revKey,
    dport: p.revKey.dport === SNAT_RANGE.snatPortMax ? 10000 : p.revKey.dport + 1,
  };
  fx.setFlow(oldRevKey, p.rev()!);
  fx.deleteFlow(p.revKey);
  fx.setFlow(p.fwdKey, { ...p.fwd()!, natSport: oldRevKey.dport });
  fx.runOn(CLIENT_IFACE, p.fromClient(TCP_RST));
  t.equal(fx.flow(oldRevKey)?.state, LB_CT_CLOSING, 'old pair closing');

  const newFlows = fx.vipStats(TCP_SERVICE.vipId).newFlows;
  const opened = fx.vipOpened(TCP_SERVICE.vipId);
  const r = fx.runOn(CLIENT_IFACE, p.fromClient(TCP_SYN));
  t.equal(r.retval, XDP_REDIRECT, 'the SYN goes out');
  t.not(parsePacket(r.data).sport, oldRevKey.dport, 'from the new pair');
  t.equal(fx.flow(oldRevKey), null, "the old pair's reverse entry is gone");
  const fresh = pairOf(41300);
  t.same(states(fresh), [LB_CT_SYN_SENT, LB_CT_SYN_SENT], 'the new pair starts over');
  t.equal(fx.vipStats(TCP_SERVICE.vipId).newFlows - newFlows, 1, 'counted as a new flow');
  t.equal(fx.vipOpened(TCP_SERVICE.vipId) - opened, 1n, 'and as opened');
});

t.test(
  'a SYN on an idle-expired tuple opens a new pair; within the timeout it is a retransmission',
  async (t) => {
    const p = open(41400);
    const vip = TCP_SERVICE.vipId;
    let newFlows = fx.vipStats(vip).newFlows;
    t.equal(fx.runOn(CLIENT_IFACE, p.fromClient(TCP_SYN)).retval, XDP_REDIRECT, 'retransmitted SYN');
    t.equal(fx.vipStats(vip).newFlows, newFlows, 'no new flow within syn_timeout');

    age(p.fwdKey, VIP_LIMITS.synTimeoutMs + 1000);
    fx.runOn(CLIENT_IFACE, p.fromClient(TCP_SYN));
    t.equal(fx.vipStats(vip).newFlows - newFlows, 1, 'a new flow after syn_timeout');
    t.ok(p.fwd()!.lastSeenNs > process.hrtime.bigint() - 1000n * MS, 'the new pair is fresh');

    fx.runOn(MEMBER_IFACE, pairOf(41400).fromMember(TCP_SYN | TCP_ACK));
    t.same(states(pairOf(41400)), [LB_CT_ESTABLISHED, LB_CT_ESTABLISHED]);
    newFlows = fx.vipStats(vip).newFlows;
    age(p.fwdKey, VIP_LIMITS.synTimeoutMs + 1000);
    fx.runOn(CLIENT_IFACE, p.fromClient(TCP_SYN));
    t.equal(fx.vipStats(vip).newFlows, newFlows, 'an established pair idle less than idle_timeout stays');
    t.equal(p.fwd()!.state, LB_CT_ESTABLISHED);

    age(p.fwdKey, VIP_LIMITS.idleTimeoutMs + 1000);
    fx.runOn(CLIENT_IFACE, p.fromClient(TCP_SYN));
    t.equal(fx.vipStats(vip).newFlows - newFlows, 1, 'replaced after idle_timeout');
    t.equal(p.fwd()!.state, LB_CT_SYN_SENT);
  },
);

t.test('a SYN-ACK from the client or a SYN from the member never reopens a pair', async (t) => {
  const p = open(41450);
  fx.runOn(CLIENT_IFACE, p.fromClient(TCP_RST));
  const newFlows = fx.vipStats(TCP_SERVICE.vipId).newFlows;
  fx.runOn(CLIENT_IFACE, p.fromClient(TCP_SYN | TCP_ACK));
  fx.runOn(MEMBER_IFACE, p.fromMember(TCP_SYN));
  t.equal(fx.vipStats(TCP_SERVICE.vipId).newFlows, newFlows);
  t.same(states(p), [LB_CT_CLOSING, LB_CT_CLOSING]);
});

t.test('a non-SYN segment without a flow is dropped and counted, per reason too', async (t) => {
  const vip = TCP_SERVICE.vipId;
  const before = {
    exit: fx.exitPackets('DROP_NO_FLOW'),
    drops: fx.vipStats(vip).drops,
    reason: fx.vipDrops(vip, 'DROP_NO_FLOW'),
  };
  const flows = fx.flowCount();
  for (const flags of [TCP_ACK, TCP_FIN | TCP_ACK, TCP_RST, TCP_SYN | TCP_ACK]) {
    t.equal(fx.runOne(tcpPacket({ ...client, sport: 41500, flags })).retval, XDP_DROP, `flags ${flags}`);
  }
  t.equal(fx.exitPackets('DROP_NO_FLOW') - before.exit, 4);
  t.equal(fx.vipStats(vip).drops - before.drops, 4);
  t.equal(fx.vipDrops(vip, 'DROP_NO_FLOW') - before.reason, 4);
  t.equal(fx.flowCount(), flows, 'no entry created');
});

t.test('a pair that lost one half is repaired', async (t) => {
  t.test('a retransmitted SYN rebuilds the reverse, with the last hop', async (t) => {
    const p = open(41600);
    const rev = p.rev()!;
    fx.deleteFlow(p.revKey);
    t.equal(fx.runOn(CLIENT_IFACE, p.fromClient(TCP_SYN)).retval, XDP_REDIRECT);
    t.match(p.rev(), {
      natSrc: VIP,
      natDst: CLIENT.addr,
      natSport: TCP_SERVICE.port,
      natDport: 41600,
      backendId: rev.backendId,
      vipId: rev.vipId,
      dir: LB_DIR_REVERSE,
      state: LB_CT_SYN_SENT,
      l2Dst: CLIENT.mac,
      l2Src: CLIENT_NET_MAC,
      ifindex: clientIfindex,
    });
  });

  t.test('the member reply rebuilds the forward entry', async (t) => {
    const p = open(41700);
    const fwd = p.fwd()!;
    fx.deleteFlow(p.fwdKey);
    t.equal(fx.runOn(MEMBER_IFACE, p.fromMember(TCP_SYN | TCP_ACK)).retval, XDP_REDIRECT);
    t.same(untimed(p.fwd()!), untimed({ ...fwd, state: LB_CT_ESTABLISHED }), 'as it was, established');
    t.equal(fx.runOn(CLIENT_IFACE, p.fromClient(TCP_ACK)).retval, XDP_REDIRECT, 'the client flows again');
  });

  t.test('a FIN rebuilds the missing half as CLOSING', async (t) => {
    const p = open(41800);
    fx.runOn(MEMBER_IFACE, p.fromMember(TCP_SYN | TCP_ACK));
    fx.deleteFlow(p.revKey);
    fx.runOn(CLIENT_IFACE, p.fromClient(TCP_FIN | TCP_ACK));
    t.same(states(p), [LB_CT_CLOSING, LB_CT_CLOSING]);
  });

  t.test("an entry whose twin's key another flow holds leaves that flow alone", async (t) => {
    const p = open(41900);
    const q = open(41901);
    fx.deleteFlow(p.revKey);
    // q's reverse entry squats p's reverse key: p's RST must not touch it.
    const squatter = { ...q.rev()!, state: LB_CT_ESTABLISHED };
    fx.setFlow(p.revKey, squatter);
    fx.runOn(CLIENT_IFACE, p.fromClient(TCP_RST));
    t.same(fx.flow(p.revKey), squatter, 'not closed, not replaced');
  });
});
