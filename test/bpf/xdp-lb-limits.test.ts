// Admission of new flows through BPF_PROG_TEST_RUN: a listener's allowed_cidrs (IPv4 and
// IPv6) and connection_limit, SNAT port exhaustion refused without a half pair, and every
// drop counted per reason against its VIP and member.
import t from 'tap';
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  LB_VIP_F_ALLOWED_CIDRS,
  LB_RING_SIZE,
  LB_VIP_F_ENABLED,
  type ExitReasonName,
} from '../../src/dataplane/codecs.js';
import { tcpPacket, udpPacket, TCP_ACK, TCP_SYN } from '../lib/packets.js';
import {
  CLIENT,
  CLIENT_IFACE,
  CLIENT_NET_MAC,
  LbFixture,
  MEMBER_IFACE,
  XDP_DROP,
  XDP_REDIRECT,
} from './lb-fixture.js';
import { installServices, installVip, SNAT_RANGE, vipMeta } from './service.js';
import { CLIENT6, installIpv6Network, installIpv6Services, TCP6_SERVICE, VIP6 } from './service6.js';

const fx = new LbFixture(t);
installServices(fx);
installIpv6Network(fx);
installIpv6Services(fx);
fx.allowTxPort(MEMBER_IFACE);
fx.allowTxPort(CLIENT_IFACE);

let nextVip = 40;
function vip(flags: number, connLimit = 0): { addr: string; vipId: number; backends: number[] } {
  const vipId = nextVip++;
  const addr = `10.200.1.${vipId + 100}`;
  const backends = installVip(fx, {
    addr,
    port: 80,
    proto: IPPROTO_TCP,
    vipId,
    ringId: vipId - 30,
    flags: LB_VIP_F_ENABLED | flags,
    firstBackend: vipId * 10,
    limits: { connLimit },
  });
  return { addr, vipId, backends };
}

function syn(dst: string, src: string, sport: number, flags = TCP_SYN): Buffer {
  return tcpPacket({ srcMac: CLIENT.mac, dstMac: CLIENT_NET_MAC, src, dst, sport, dport: 80, flags });
}

/** Runs a packet that must be dropped for `reason`, and checks every counter of the drop. */
function expectDrop(
  t: { equal(found: unknown, wanted: unknown, message: string): boolean },
  packet: Buffer,
  reason: ExitReasonName,
  vipId: number,
  backendId?: number,
): void {
  const before = {
    exit: fx.exitPackets(reason),
    drops: fx.vipStats(vipId).drops,
    vip: fx.vipDrops(vipId, reason),
    backend: backendId === undefined ? 0 : fx.backendDrops(backendId, reason),
  };
  t.equal(fx.runOne(packet).retval, XDP_DROP, `dropped for ${reason}`);
  t.equal(fx.exitPackets(reason) - before.exit, 1, 'exit reason counted');
  t.equal(fx.vipStats(vipId).drops - before.drops, 1, 'VIP drops counted');
  t.equal(fx.vipDrops(vipId, reason) - before.vip, 1, 'VIP drops counted for the reason');
  if (backendId !== undefined)
    t.equal(fx.backendDrops(backendId, reason) - before.backend, 1, 'member drops counted for the reason');
}

t.test('allowed_cidrs: new flows only from the listed sources', async (t) => {
  const v = vip(LB_VIP_F_ALLOWED_CIDRS);
  const other = vip(LB_VIP_F_ALLOWED_CIDRS);
  fx.allowCidr({ vipId: v.vipId, addr: '10.200.1.0', prefixLength: 28 });
  fx.allowCidr({ vipId: other.vipId, addr: '10.200.3.0', prefixLength: 24 });
  t.equal(fx.runOne(syn(v.addr, '10.200.1.10', 42000)).retval, XDP_REDIRECT, 'inside 10.200.1.0/28');
  expectDrop(t, syn(v.addr, '10.200.1.20', 42000), 'DROP_CIDR', v.vipId);
  expectDrop(t, syn(v.addr, '10.200.3.5', 42000), 'DROP_CIDR', v.vipId);
  t.equal(fx.runOne(syn(other.addr, '10.200.3.5', 42000)).retval, XDP_REDIRECT, "another VIP's list");

  fx.allowCidr({ vipId: v.vipId, addr: '0.0.0.0', prefixLength: 0 });
  t.equal(fx.runOne(syn(v.addr, '10.200.3.5', 42001)).retval, XDP_REDIRECT, '0.0.0.0/0 admits anyone');
  const open = vip(0);
  t.equal(fx.runOne(syn(open.addr, '10.200.9.9', 42000)).retval, XDP_REDIRECT, 'no flag: no check');
});

t.test('allowed_cidrs are checked on new flows only', async (t) => {
  const v = vip(LB_VIP_F_ALLOWED_CIDRS);
  fx.allowCidr({ vipId: v.vipId, addr: '10.200.1.10', prefixLength: 32 });
  t.equal(fx.runOne(syn(v.addr, CLIENT.addr, 42100)).retval, XDP_REDIRECT);
  fx.denyCidr({ vipId: v.vipId, addr: '10.200.1.10', prefixLength: 32 });
  t.equal(fx.runOne(syn(v.addr, CLIENT.addr, 42100, TCP_ACK)).retval, XDP_REDIRECT, 'the open flow goes on');
  expectDrop(t, syn(v.addr, CLIENT.addr, 42101), 'DROP_CIDR', v.vipId);
});

t.test('allowed_cidrs for an IPv6 VIP', async (t) => {
  fx.setVip(
    { addr: VIP6, port: TCP6_SERVICE.port, proto: IPPROTO_TCP },
    vipMeta({
      flags: LB_VIP_F_ENABLED | LB_VIP_F_ALLOWED_CIDRS,
      ringId: TCP6_SERVICE.ringId,
      vipId: TCP6_SERVICE.vipId,
    }),
  );
  fx.allowCidr({ vipId: TCP6_SERVICE.vipId, addr: 'fd00:206:1::', prefixLength: 120 });
  const syn6 = (src: string, sport: number): Buffer =>
    tcpPacket({
      srcMac: CLIENT6.mac,
      dstMac: CLIENT_NET_MAC,
      src,
      dst: VIP6,
      sport,
      dport: 80,
      flags: TCP_SYN,
    });
  t.equal(
    fx.runOn(CLIENT_IFACE, syn6(CLIENT6.addr, 42200)).retval,
    XDP_REDIRECT,
    `${CLIENT6.addr} is inside fd00:206:1::/120`,
  );
  expectDrop(t, syn6('fd00:206:1::1:10', 42200), 'DROP_CIDR', TCP6_SERVICE.vipId);
  expectDrop(t, syn6('fd00:207:1::10', 42200), 'DROP_CIDR', TCP6_SERVICE.vipId);
});

t.test('connection_limit: new flows refused once the estimate reaches it', async (t) => {
  const v = vip(0, 3);
  for (let i = 0; i < 3; i++)
    t.equal(fx.runOne(syn(v.addr, CLIENT.addr, 42300 + i)).retval, XDP_REDIRECT, `flow ${i + 1} of 3`);
  expectDrop(t, syn(v.addr, CLIENT.addr, 42303), 'DROP_CONN_LIMIT', v.vipId);
  t.equal(fx.runOne(syn(v.addr, CLIENT.addr, 42300, TCP_ACK)).retval, XDP_REDIRECT, 'open flows go on');

  // The sweep found one of them closed: one new flow fits again.
  fx.setVipActive(v.vipId, { openedAtSweep: fx.vipOpened(v.vipId), active: 2n });
  t.equal(fx.runOne(syn(v.addr, CLIENT.addr, 42304)).retval, XDP_REDIRECT, 'room for one after the sweep');
  expectDrop(t, syn(v.addr, CLIENT.addr, 42305), 'DROP_CONN_LIMIT', v.vipId);
});

t.test('SNAT ports run out: refused, counted for VIP and member, no half pair left', async (t) => {
  t.teardown(() => fx.setSettings(SNAT_RANGE));
  const v = vip(0);
  // One member only, so every flow needs a port towards it.
  fx.setRing(v.vipId - 30, new Uint32Array(LB_RING_SIZE).fill(v.backends[0]! + 1));
  fx.setSettings({ ...SNAT_RANGE, snatPortMin: 20000, snatPortMax: 20001 });
  for (const sport of [42400, 42401, 42402, 42403]) fx.runOne(syn(v.addr, CLIENT.addr, sport));
  const taken = [42400, 42401, 42402, 42403].filter((sport) =>
    fx.flow({ src: CLIENT.addr, dst: v.addr, sport, dport: 80, proto: IPPROTO_TCP }),
  );
  t.equal(taken.length, 2, 'two flows got the two ports');
  const entries = fx.flowCount();
  expectDrop(t, syn(v.addr, CLIENT.addr, 42404), 'DROP_SNAT_FULL', v.vipId, v.backends[0]);
  t.equal(fx.flowCount(), entries, 'no entry left by the refused flow');
  t.equal(fx.flows().filter((e) => e.flow.vipId === v.vipId).length, 4, 'two whole pairs, nothing else');
});

t.test('UDP is admitted the same way', async (t) => {
  const vipId = nextVip++;
  const addr = `10.200.1.${vipId + 100}`;
  installVip(fx, {
    addr,
    port: 53,
    proto: IPPROTO_UDP,
    vipId,
    ringId: vipId - 30,
    flags: LB_VIP_F_ENABLED | LB_VIP_F_ALLOWED_CIDRS,
    firstBackend: vipId * 10,
  });
  const dgram = (src: string): Buffer =>
    udpPacket({ srcMac: CLIENT.mac, dstMac: CLIENT_NET_MAC, src, dst: addr, sport: 42500, dport: 53 });
  expectDrop(t, dgram(CLIENT.addr), 'DROP_CIDR', vipId);
  fx.allowCidr({ vipId, addr: CLIENT.addr, prefixLength: 32 });
  t.equal(fx.runOne(dgram(CLIENT.addr)).retval, XDP_REDIRECT);
});
