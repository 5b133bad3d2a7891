// What the program does not own goes to the kernel untouched; what is broken is dropped.
// Either way nothing crashes and every verdict is counted under its exit reason.
import t from 'tap';
import { type ExitReasonName } from '../../src/dataplane/codecs.js';
import { arpRequest, ipPacket, tcpPacket, udpPacket, TCP_SYN, ETH_HLEN } from '../lib/packets.js';
import {
  CLIENT,
  CLIENT_NET_MAC,
  LbFixture,
  MEMBER_IFACE,
  XDP_DROP,
  XDP_PASS,
  XDP_REDIRECT,
} from './lb-fixture.js';
import { installServices, TCP_SERVICE, UDP_SERVICE, VIP } from './service.js';

const fx = new LbFixture(t);
installServices(fx);
fx.allowTxPort(MEMBER_IFACE);

const base = { srcMac: CLIENT.mac, dstMac: CLIENT_NET_MAC, src: CLIENT.addr, dst: VIP, sport: 45000 };
const syn = (over: object = {}): Buffer =>
  tcpPacket({ ...base, dport: TCP_SERVICE.port, flags: TCP_SYN, ...over });

/** A copy of the frame with bytes patched (checksums are not fixed: parsing must refuse first). */
function patched(frame: Buffer, at: number, bytes: number[]): Buffer {
  const out = Buffer.from(frame);
  Buffer.from(bytes).copy(out, at);
  return out;
}

interface Asserts {
  equal(found: unknown, wanted: unknown, message: string): boolean;
  same(found: unknown, wanted: unknown, message: string): boolean;
}

function expectVerdict(
  t: Asserts,
  name: string,
  packet: Buffer,
  verdict: number,
  reason: ExitReasonName,
): void {
  const before = fx.exitPackets(reason);
  const flowsBefore = fx.flowCount();
  const { retval, data } = fx.runOne(packet);
  t.equal(retval, verdict, `${name}: verdict`);
  t.equal(fx.exitPackets(reason) - before, 1, `${name}: counted as ${reason}`);
  t.equal(fx.flowCount(), flowsBefore, `${name}: no conntrack entry`);
  if (verdict === XDP_PASS) t.same(data, packet, `${name}: unchanged`);
}

t.test('traffic not for a VIP passes unchanged', async (t) => {
  expectVerdict(
    t,
    'TCP to the amphora itself',
    syn({ dst: '10.200.1.1', dport: 22 }),
    XDP_PASS,
    'PASS_NOT_VIP',
  );
  expectVerdict(t, 'TCP to the VIP on another port', syn({ dport: 443 }), XDP_PASS, 'PASS_NOT_VIP');
  expectVerdict(
    t,
    'UDP to the VIP on the TCP port',
    udpPacket({ ...base, dport: TCP_SERVICE.port }),
    XDP_PASS,
    'PASS_NOT_VIP',
  );
  expectVerdict(t, 'ARP', arpRequest(CLIENT.addr, VIP, CLIENT.mac), XDP_PASS, 'PASS_NOT_IP');
  const icmpEcho = Buffer.from([8, 0, 0xf7, 0xff, 0, 0, 0, 0]);
  expectVerdict(
    t,
    'ICMP echo to a VIP address without an echo entry',
    ipPacket(base, 1, icmpEcho),
    XDP_PASS,
    'PASS_ICMP',
  );
  const vrrp = Buffer.alloc(20, 0x21);
  expectVerdict(t, 'VRRP', ipPacket({ ...base, dst: '224.0.0.18' }, 112, vrrp), XDP_PASS, 'PASS_NOT_L4');
});

t.test('fragments go to the kernel', async (t) => {
  expectVerdict(t, 'first fragment (MF)', syn({ fragOff: 0x2000 }), XDP_PASS, 'PASS_FRAGMENT');
  expectVerdict(
    t,
    'later fragment (offset)',
    udpPacket({ ...base, dport: UDP_SERVICE.port, fragOff: 0x0010 }),
    XDP_PASS,
    'PASS_FRAGMENT',
  );
});

t.test('truncated or inconsistent headers are dropped', async (t) => {
  const good = syn();
  expectVerdict(t, 'Ethernet header only', good.subarray(0, ETH_HLEN), XDP_DROP, 'DROP_MALFORMED');
  expectVerdict(t, 'IPv4 header cut', good.subarray(0, ETH_HLEN + 12), XDP_DROP, 'DROP_MALFORMED');
  expectVerdict(
    t,
    'IPv4 total length beyond the frame',
    good.subarray(0, good.length - 4),
    XDP_DROP,
    'DROP_MALFORMED',
  );
  // A consistent IPv4 header whose TCP header is 10 bytes long.
  const shortTcp = ipPacket(base, 6, syn().subarray(ETH_HLEN + 20, ETH_HLEN + 30));
  expectVerdict(t, 'TCP header cut', shortTcp, XDP_DROP, 'DROP_MALFORMED');
  const shortUdp = ipPacket(base, 17, Buffer.from([0xaf, 0xc8, 0, 53]));
  expectVerdict(t, 'UDP header cut', shortUdp, XDP_DROP, 'DROP_MALFORMED');
  expectVerdict(t, 'IHL 4', patched(good, ETH_HLEN, [0x44]), XDP_DROP, 'DROP_MALFORMED');
  expectVerdict(t, 'IHL 15 beyond total length', patched(good, ETH_HLEN, [0x4f]), XDP_DROP, 'DROP_MALFORMED');
  expectVerdict(
    t,
    'IP version 6 in an IPv4 frame',
    patched(good, ETH_HLEN, [0x65]),
    XDP_DROP,
    'DROP_MALFORMED',
  );
  expectVerdict(
    t,
    'TCP data offset 4',
    patched(good, ETH_HLEN + 20 + 12, [0x40]),
    XDP_DROP,
    'DROP_MALFORMED',
  );
  const udp = udpPacket({ ...base, dport: UDP_SERVICE.port });
  expectVerdict(
    t,
    'UDP length beyond the datagram',
    patched(udp, ETH_HLEN + 20 + 4, [0, 200]),
    XDP_DROP,
    'DROP_MALFORMED',
  );
});

t.test('Ethernet padding after a short datagram is not mistaken for a bad length', async (t) => {
  const small = udpPacket({ ...base, sport: 45001, dport: UDP_SERVICE.port, payload: Buffer.from('x') });
  const padded = Buffer.concat([small, Buffer.alloc(60 - small.length)]);
  const { retval, data } = fx.runOne(padded);
  t.equal(retval, XDP_REDIRECT);
  t.equal(data.length, 60);
});
