// The conntrack sweep (lb_sweep) against the real maps: flows made by BPF_PROG_TEST_RUN, aged
// by rewriting last_seen_ns, then swept: expired pairs deleted, lost halves rebuilt, live
// pairs counted into lb_vip_active / lb_backend_active, which connection_limit then reads.
import t from 'tap';
import { sweepConntrack } from '../../src/dataplane/conntrack.js';
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  LB_CT_ESTABLISHED,
  LB_DIR_FORWARD,
  LB_VIP_F_ENABLED,
  type FlowKey,
} from '../../src/dataplane/codecs.js';
import { parsePacket, tcpPacket, udpPacket, TCP_ACK, TCP_RST, TCP_SYN } from '../lib/packets.js';
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
import {
  backendId,
  installServices,
  memberIndex,
  TCP_SERVICE,
  UDP_SERVICE,
  VIP,
  vipMeta,
} from './service.js';

const fx = new LbFixture(t);
installServices(fx);
fx.allowTxPort(MEMBER_IFACE);
fx.allowTxPort(CLIENT_IFACE);

const client = { srcMac: CLIENT.mac, dstMac: CLIENT_NET_MAC, src: CLIENT.addr, dst: VIP };
const S = 1_000_000_000n;

interface Opened {
  fwdKey: FlowKey;
  revKey: FlowKey;
  backend: number;
}

function openTcp(sport: number, established: boolean): Opened {
  const r = fx.runOn(CLIENT_IFACE, tcpPacket({ ...client, sport, dport: TCP_SERVICE.port, flags: TCP_SYN }));
  if (r.retval !== XDP_REDIRECT) throw new Error(`SYN: verdict ${r.retval}`);
  const out = parsePacket(r.data);
  const revKey = { src: out.dst, dst: SNAT_ADDR, sport: out.dport, dport: out.sport, proto: IPPROTO_TCP };
  if (established) {
    const reply = tcpPacket({
      srcMac: '02:00:00:00:99:99',
      dstMac: MEMBER_NET_MAC,
      ...revKey,
      flags: TCP_SYN | TCP_ACK,
    });
    fx.runOn(MEMBER_IFACE, reply);
  }
  return {
    fwdKey: { src: CLIENT.addr, dst: VIP, sport, dport: TCP_SERVICE.port, proto: IPPROTO_TCP },
    revKey,
    backend: backendId(TCP_SERVICE, memberIndex(out.dst)),
  };
}

function openUdp(sport: number): Opened {
  const r = fx.runOn(CLIENT_IFACE, udpPacket({ ...client, sport, dport: UDP_SERVICE.port }));
  const out = parsePacket(r.data);
  return {
    fwdKey: { src: CLIENT.addr, dst: VIP, sport, dport: UDP_SERVICE.port, proto: IPPROTO_UDP },
    revKey: { src: out.dst, dst: SNAT_ADDR, sport: out.dport, dport: out.sport, proto: IPPROTO_UDP },
    backend: backendId(UDP_SERVICE, memberIndex(out.dst)),
  };
}

/** Both halves' last packet `seconds` ago. */
function age(f: Opened, seconds: number): void {
  for (const key of [f.fwdKey, f.revKey]) {
    const entry = fx.flow(key)!;
    fx.setFlow(key, { ...entry, lastSeenNs: process.hrtime.bigint() - BigInt(seconds) * S });
  }
}

t.test('a sweep deletes expired pairs, rebuilds lost halves and counts live pairs', async (t) => {
  const live = openTcp(43000, true);
  const stalledSyn = openTcp(43001, false);
  const idleUdp = openUdp(43002);
  const closed = openTcp(43003, true);
  fx.runOn(CLIENT_IFACE, tcpPacket({ ...client, sport: 43003, dport: TCP_SERVICE.port, flags: TCP_RST }));
  const lostReverse = openTcp(43004, true);
  const lostForward = openTcp(43005, true);
  const freshUdp = openUdp(43006);
  age(stalledSyn, 6); // syn_timeout 5 s
  age(idleUdp, 51); // idle_timeout 50 s
  const reverseBefore = fx.flow(lostReverse.revKey)!;
  fx.deleteFlow(lostReverse.revKey);
  fx.deleteFlow(lostForward.fwdKey);

  const vipOpened = fx.vipOpened(TCP_SERVICE.vipId);
  const result = sweepConntrack(fx.nat, fx.sweepProgFd);
  t.match(result, { expired: 4, orphaned: 0, repaired: 2 });
  // 12 entries; an expired pair's second half is not visited when its twin went first.
  t.ok(result.entries >= 10 && result.entries <= 12, `${result.entries} entries visited`);

  for (const gone of [stalledSyn, idleUdp]) {
    t.equal(fx.flow(gone.fwdKey), null, `${gone.fwdKey.sport}: forward deleted`);
    t.equal(fx.flow(gone.revKey), null, `${gone.fwdKey.sport}: reverse deleted`);
  }
  for (const kept of [live, closed, freshUdp]) t.ok(fx.flow(kept.fwdKey) && fx.flow(kept.revKey), 'kept');
  t.same(
    fx.flow(lostReverse.revKey),
    {
      ...reverseBefore,
      l2Dst: '00:00:00:00:00:00',
      l2Src: '00:00:00:00:00:00',
      ifindex: 0,
      lastSeenNs: fx.flow(lostReverse.fwdKey)!.lastSeenNs,
    },
    'reverse rebuilt without last hop, last seen as its twin',
  );
  t.match(fx.flow(lostForward.fwdKey), { dir: LB_DIR_FORWARD, state: LB_CT_ESTABLISHED, natDport: 8080 });
  t.equal(fx.flowCount(), 10);

  const liveTcp = [live, lostReverse, lostForward];
  t.same(fx.vipActive(TCP_SERVICE.vipId), { openedAtSweep: vipOpened, active: 3n }, 'lb_vip_active written');
  t.same(fx.vipActive(UDP_SERVICE.vipId).active, 1n);
  for (let m = 0; m < 3; m++) {
    const id = backendId(TCP_SERVICE, m);
    const expected = liveTcp.filter((f) => f.backend === id).length;
    t.equal(fx.backendActive(id).active, BigInt(expected), `member ${m}: ${expected} live`);
    t.equal(fx.backendActive(id).openedAtSweep, fx.backendOpened(id), 'opened as before the walk');
  }

  // The rebuilt reverse carries the member's reply to the client by the FIB.
  const reply = tcpPacket({
    srcMac: '02:00:00:00:99:99',
    dstMac: MEMBER_NET_MAC,
    ...lostReverse.revKey,
    flags: TCP_ACK,
  });
  const r = fx.runOn(MEMBER_IFACE, reply);
  t.equal(r.retval, XDP_REDIRECT);
  t.match(parsePacket(r.data), { src: VIP, dst: CLIENT.addr, dport: 43004, dstMac: CLIENT.mac });
});

t.test('connection_limit counts from the sweep: active plus flows opened since', async (t) => {
  sweepConntrack(fx.nat, fx.sweepProgFd);
  const before = Number(fx.vipActive(TCP_SERVICE.vipId).active);
  fx.setVip(
    { addr: VIP, port: TCP_SERVICE.port, proto: IPPROTO_TCP },
    vipMeta({
      flags: LB_VIP_F_ENABLED,
      ringId: TCP_SERVICE.ringId,
      vipId: TCP_SERVICE.vipId,
      connLimit: before + 1,
    }),
  );
  t.teardown(() =>
    fx.setVip(
      { addr: VIP, port: TCP_SERVICE.port, proto: IPPROTO_TCP },
      vipMeta({ flags: LB_VIP_F_ENABLED, ringId: TCP_SERVICE.ringId, vipId: TCP_SERVICE.vipId }),
    ),
  );
  const extra = openTcp(43100, true);
  const syn = (sport: number): Buffer =>
    tcpPacket({ ...client, sport, dport: TCP_SERVICE.port, flags: TCP_SYN });
  t.equal(fx.runOne(syn(43101)).retval, XDP_DROP, 'at the limit');
  fx.runOn(CLIENT_IFACE, tcpPacket({ ...client, sport: 43100, dport: TCP_SERVICE.port, flags: TCP_RST }));
  t.equal(fx.runOne(syn(43102)).retval, XDP_DROP, 'a closed flow frees nothing until the sweep');
  sweepConntrack(fx.nat, fx.sweepProgFd);
  t.ok(fx.flow(extra.fwdKey), 'the closing pair stays until its timeout');
  t.equal(fx.runOn(CLIENT_IFACE, syn(43103)).retval, XDP_REDIRECT, 'after the sweep there is room');
});
