// Packets for a VIP that cannot be served are dropped, counted by reason and against the VIP.
import t from 'tap';
import {
  IPPROTO_TCP,
  LB_BACKEND_F_ENABLED,
  LB_MAX_RINGS,
  LB_RING_SIZE,
  LB_VIP_F_ENABLED,
  ringEntry,
  type ExitReasonName,
} from '../../src/dataplane/codecs.js';
import { maglevTable } from '../../src/dataplane/maglev.js';
import { parsePacket, tcpPacket, udpPacket, TCP_ACK, TCP_RST, TCP_SYN } from '../lib/packets.js';
import {
  CLIENT,
  CLIENT_NET_MAC,
  LbFixture,
  MEMBERS,
  MEMBER_IFACE,
  SNAT_ADDR,
  XDP_DROP,
  XDP_REDIRECT,
} from './lb-fixture.js';
import { installServices, SNAT_RANGE, TCP_SERVICE, VIP, vipMeta } from './service.js';

const fx = new LbFixture(t);
installServices(fx);
fx.allowTxPort(MEMBER_IFACE);

const base = { srcMac: CLIENT.mac, dstMac: CLIENT_NET_MAC, src: CLIENT.addr, sport: 46000 };

// Extra services, each on its own VIP address, port 80, and its own ring/stats slot.
let nextVip = 10;
function service(opts: { flags?: number; ringId: number; ring?: Uint32Array }): {
  addr: string;
  vipId: number;
} {
  const vipId = nextVip++;
  const addr = `10.200.1.${vipId + 100}`;
  if (opts.ring) fx.setRing(opts.ringId, opts.ring);
  fx.setVip(
    { addr, port: 80, proto: IPPROTO_TCP },
    vipMeta({ flags: opts.flags ?? LB_VIP_F_ENABLED, ringId: opts.ringId, vipId }),
  );
  return { addr, vipId };
}

function expectDrop(
  t: { equal(a: unknown, b: unknown, m: string): boolean },
  name: string,
  packet: Buffer,
  reason: ExitReasonName,
  vipId: number,
): void {
  const before = fx.exitPackets(reason);
  const dropsBefore = fx.vipStats(vipId).drops;
  t.equal(fx.runOne(packet).retval, XDP_DROP, `${name}: dropped`);
  t.equal(fx.exitPackets(reason) - before, 1, `${name}: counted as ${reason}`);
  t.equal(fx.vipStats(vipId).drops - dropsBefore, 1, `${name}: counted against the VIP`);
}

t.test('TCP segments other than a SYN open no flow', async (t) => {
  const dst = { ...base, dst: VIP, dport: TCP_SERVICE.port };
  const flows = fx.flowCount();
  expectDrop(t, 'ACK', tcpPacket({ ...dst, flags: TCP_ACK }), 'DROP_NO_FLOW', TCP_SERVICE.vipId);
  expectDrop(t, 'RST', tcpPacket({ ...dst, flags: TCP_RST }), 'DROP_NO_FLOW', TCP_SERVICE.vipId);
  expectDrop(
    t,
    'SYN-ACK',
    tcpPacket({ ...dst, flags: TCP_SYN | TCP_ACK }),
    'DROP_NO_FLOW',
    TCP_SERVICE.vipId,
  );
  t.equal(fx.flowCount(), flows, 'no conntrack entry');
});

t.test('a disabled VIP drops', async (t) => {
  const down = service({ flags: 0, ringId: TCP_SERVICE.ringId });
  expectDrop(
    t,
    'SYN',
    tcpPacket({ ...base, dst: down.addr, dport: 80, flags: TCP_SYN }),
    'DROP_VIP_DISABLED',
    down.vipId,
  );
});

t.test('a VIP without a usable backend drops', async (t) => {
  const empty = service({ ringId: 5, ring: maglevTable([]) });
  expectDrop(
    t,
    'empty ring',
    tcpPacket({ ...base, dst: empty.addr, dport: 80, flags: TCP_SYN }),
    'DROP_NO_BACKEND',
    empty.vipId,
  );

  const badRing = service({ ringId: LB_MAX_RINGS });
  expectDrop(
    t,
    'ring id out of range',
    tcpPacket({ ...base, dst: badRing.addr, dport: 80, flags: TCP_SYN }),
    'DROP_NO_BACKEND',
    badRing.vipId,
  );

  fx.setBackend(100, { addr: MEMBERS[0]!.addr, snat: SNAT_ADDR, port: 8080, flags: 0, weight: 1 });
  const disabled = service({ ringId: 6, ring: new Uint32Array(LB_RING_SIZE).fill(ringEntry(100)) });
  expectDrop(
    t,
    'disabled member',
    tcpPacket({ ...base, dst: disabled.addr, dport: 80, flags: TCP_SYN }),
    'DROP_NO_BACKEND',
    disabled.vipId,
  );

  const unused = service({ ringId: 7, ring: new Uint32Array(LB_RING_SIZE).fill(ringEntry(101)) });
  expectDrop(
    t,
    'unused backend slot',
    tcpPacket({ ...base, dst: unused.addr, dport: 80, flags: TCP_SYN }),
    'DROP_NO_BACKEND',
    unused.vipId,
  );
});

t.test('a member without a neighbour entry drops with DROP_FIB', async (t) => {
  fx.setBackend(102, {
    addr: '10.200.2.50',
    snat: SNAT_ADDR,
    port: 8080,
    flags: LB_BACKEND_F_ENABLED,
    weight: 1,
  });
  const svc = service({ ringId: 8, ring: new Uint32Array(LB_RING_SIZE).fill(ringEntry(102)) });
  const udp = udpPacket({ ...base, dst: svc.addr, dport: 80 });
  t.equal(
    fx.runOne(udp).retval,
    2 /* XDP_PASS: a UDP VIP was not declared */,
    'UDP to a TCP-only VIP passes',
  );
  expectDrop(
    t,
    'SYN',
    tcpPacket({ ...base, dst: svc.addr, dport: 80, flags: TCP_SYN }),
    'DROP_FIB',
    svc.vipId,
  );
  t.equal(fx.backendStats(102).drops, 1, 'counted against the member');
});

t.test('SNAT ports run out: one port, two flows to the same member', async (t) => {
  t.teardown(() => fx.setSettings(SNAT_RANGE));
  fx.setBackend(103, {
    addr: MEMBERS[1]!.addr,
    snat: SNAT_ADDR,
    port: 8080,
    flags: LB_BACKEND_F_ENABLED,
    weight: 1,
  });
  const svc = service({ ringId: 9, ring: new Uint32Array(LB_RING_SIZE).fill(ringEntry(103)) });
  fx.setSettings({ ...SNAT_RANGE, snatPortMin: 20000, snatPortMax: 20000 });
  const first = fx.runOne(tcpPacket({ ...base, dst: svc.addr, dport: 80, sport: 46001, flags: TCP_SYN }));
  t.equal(first.retval, XDP_REDIRECT, 'the first flow gets the only port');
  t.equal(parsePacket(first.data).sport, 20000);
  expectDrop(
    t,
    'second flow',
    tcpPacket({ ...base, dst: svc.addr, dport: 80, sport: 46002, flags: TCP_SYN }),
    'DROP_SNAT_FULL',
    svc.vipId,
  );
  t.equal(fx.backendStats(103).drops, 1, 'counted against the member');
  t.notOk(
    fx.flow({ src: CLIENT.addr, dst: svc.addr, sport: 46002, dport: 80, proto: IPPROTO_TCP }),
    'no forward entry',
  );
  const again = fx.runOne(tcpPacket({ ...base, dst: svc.addr, dport: 80, sport: 46001, flags: TCP_ACK }));
  t.equal(again.retval, XDP_REDIRECT, 'the first flow still works');
});

t.test('an invalid SNAT range (unset settings) drops as SNAT_FULL', async (t) => {
  t.teardown(() => fx.setSettings(SNAT_RANGE));
  fx.setSettings({ ...SNAT_RANGE, snatPortMin: 0, snatPortMax: 0 });
  expectDrop(
    t,
    'SYN',
    tcpPacket({ ...base, dst: VIP, dport: TCP_SERVICE.port, sport: 46100, flags: TCP_SYN }),
    'DROP_SNAT_FULL',
    TCP_SERVICE.vipId,
  );
});
