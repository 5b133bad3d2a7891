// Header parsing, for both families: IPv4 options and IPv6 extension headers are walked,
// not misread; fragments go to the kernel; truncated or inconsistent headers are dropped.
import t from 'tap';
import { type ExitReasonName } from '../../src/dataplane/codecs.js';
import {
  ETH_HLEN,
  IPV6_HLEN,
  ipPacket,
  l4ChecksumValid,
  ipChecksumValid,
  parsePacket,
  tcpPacket,
  udpPacket,
  NEXTHDR_AUTH,
  NEXTHDR_DEST,
  NEXTHDR_ESP,
  NEXTHDR_FRAGMENT,
  NEXTHDR_HOP,
  NEXTHDR_NONE,
  NEXTHDR_ROUTING,
  TCP_SYN,
  type ExtHeader,
} from '../lib/packets.js';
import { icmpPacket } from '../lib/icmp-packets.js';
import { parseFrame } from '../lib/frames.js';
import {
  CLIENT,
  CLIENT_NET_MAC,
  LbFixture,
  MEMBER_IFACE,
  XDP_DROP,
  XDP_PASS,
  XDP_REDIRECT,
} from './lb-fixture.js';
import { installServices, UDP_SERVICE, VIP } from './service.js';
import {
  CLIENT6,
  installIpv6Network,
  installIpv6Services,
  TCP6_SERVICE,
  UDP6_SERVICE,
  VIP6,
} from './service6.js';

const fx = new LbFixture(t);
installServices(fx);
installIpv6Network(fx);
installIpv6Services(fx);
fx.allowTxPort(MEMBER_IFACE);

const base6 = { srcMac: CLIENT6.mac, dstMac: CLIENT_NET_MAC, src: CLIENT6.addr, dst: VIP6 };
const syn6 = (over: object = {}): Buffer =>
  tcpPacket({ ...base6, sport: 48000, dport: TCP6_SERVICE.port, flags: TCP_SYN, ...over });
const udp6 = (over: object = {}): Buffer =>
  udpPacket({ ...base6, sport: 48000, dport: UDP6_SERVICE.port, payload: Buffer.from('q'), ...over });

/** A copy of the frame with bytes patched at `at`. */
function patched(frame: Buffer, at: number, bytes: number[]): Buffer {
  const out = Buffer.from(frame);
  Buffer.from(bytes).copy(out, at);
  return out;
}

/** The IPv6 payload_len field set to `len` (the frame unchanged). */
const payloadLen = (frame: Buffer, len: number): Buffer =>
  patched(frame, ETH_HLEN + 4, [len >> 8, len & 0xff]);

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

t.test('IPv4 options up to the maximum header are skipped, and kept', async (t) => {
  const options = Buffer.concat([Buffer.from([0x07, 39, 4]), Buffer.alloc(37)]); // record route, 40 bytes
  const spec = { srcMac: CLIENT.mac, dstMac: CLIENT_NET_MAC, src: CLIENT.addr, dst: VIP, sport: 48100 };
  const { retval, data } = fx.runOne(
    udpPacket({ ...spec, dport: UDP_SERVICE.port, ipOptions: options, payload: Buffer.from('opts') }),
  );
  t.equal(retval, XDP_REDIRECT);
  const out = parseFrame(data);
  t.equal(out.ip.headerLength, 60, 'IHL 15');
  t.match(out.l4, { dport: UDP_SERVICE.memberPort, payload: Buffer.from('opts') });
  t.same(data.subarray(ETH_HLEN + 20, ETH_HLEN + 60), options, 'options kept');
  t.ok(ipChecksumValid(data) && l4ChecksumValid(data));
});

t.test('IPv6 extension headers of every skippable kind are walked', async (t) => {
  const chains: ExtHeader[][] = [
    [{ type: NEXTHDR_HOP }, { type: NEXTHDR_DEST, length: 16 }],
    [{ type: NEXTHDR_ROUTING, length: 24 }, { type: NEXTHDR_AUTH }],
    [{ type: NEXTHDR_AUTH, length: 12 }, { type: NEXTHDR_DEST }],
    Array.from({ length: 6 }, () => ({ type: NEXTHDR_DEST })),
  ];
  for (const [i, extHeaders] of chains.entries()) {
    const name = extHeaders.map((h) => h.type).join(',');
    const { retval, data } = fx.runOne(udp6({ sport: 48200 + i, extHeaders }));
    t.equal(retval, XDP_REDIRECT, `${name}: forwarded`);
    const out = parseFrame(data);
    t.same(
      out.ip.extHeaders,
      extHeaders.map((h) => h.type),
      `${name}: kept`,
    );
    t.match(out.l4, { dport: UDP6_SERVICE.memberPort, payload: Buffer.from('q'), checksumValid: true });
  }
  const seven = Array.from({ length: 7 }, () => ({ type: NEXTHDR_DEST }));
  expectVerdict(t, 'seven extension headers', udp6({ extHeaders: seven }), XDP_PASS, 'PASS_NOT_L4');
});

t.test('IPv6 fragments and what is not TCP/UDP/ICMPv6 go to the kernel', async (t) => {
  const frag = (h: Partial<ExtHeader>): ExtHeader => ({ type: NEXTHDR_FRAGMENT, ...h });
  expectVerdict(t, 'first fragment', syn6({ extHeaders: [frag({ more: true })] }), XDP_PASS, 'PASS_FRAGMENT');
  expectVerdict(
    t,
    'later fragment',
    udp6({ extHeaders: [frag({ fragOff: 1448 })] }),
    XDP_PASS,
    'PASS_FRAGMENT',
  );
  expectVerdict(
    t,
    'fragment after hop-by-hop',
    udp6({ extHeaders: [{ type: NEXTHDR_HOP }, frag({ more: true })] }),
    XDP_PASS,
    'PASS_FRAGMENT',
  );
  expectVerdict(t, 'ESP', ipPacket(base6, NEXTHDR_ESP, Buffer.alloc(24, 0xee)), XDP_PASS, 'PASS_NOT_L4');
  expectVerdict(t, 'no next header', ipPacket(base6, NEXTHDR_NONE, Buffer.alloc(0)), XDP_PASS, 'PASS_NOT_L4');
  expectVerdict(t, 'VRRP over IPv6', ipPacket(base6, 112, Buffer.alloc(20, 0x31)), XDP_PASS, 'PASS_NOT_L4');
  expectVerdict(t, 'TCP to another port', syn6({ dport: 443 }), XDP_PASS, 'PASS_NOT_VIP');
  expectVerdict(t, 'TCP to the amphora', syn6({ dst: 'fd00:206:1::1' }), XDP_PASS, 'PASS_NOT_VIP');
});

t.test('truncated or inconsistent IPv6 headers are dropped', async (t) => {
  const good = syn6();
  const drop = (name: string, packet: Buffer): void =>
    expectVerdict(t, name, packet, XDP_DROP, 'DROP_MALFORMED');
  drop('IPv6 header cut', good.subarray(0, ETH_HLEN + 30));
  drop('payload length beyond the frame', good.subarray(0, good.length - 1));
  drop('version 4 in an IPv6 frame', patched(good, ETH_HLEN, [0x46]));
  drop('TCP header beyond the payload length', payloadLen(good, 12));

  const hbh = syn6({ extHeaders: [{ type: NEXTHDR_HOP }] });
  drop('extension header cut by the frame', payloadLen(hbh.subarray(0, ETH_HLEN + IPV6_HLEN + 1), 1));
  drop('extension header beyond the payload length', patched(hbh, ETH_HLEN + IPV6_HLEN + 1, [3]));
  const ah = syn6({ extHeaders: [{ type: NEXTHDR_AUTH }] });
  drop('AH longer than the payload', patched(ah, ETH_HLEN + IPV6_HLEN + 1, [40]));
  drop('TCP cut after extension headers', payloadLen(hbh.subarray(0, ETH_HLEN + IPV6_HLEN + 8 + 10), 18));
  const ping = icmpPacket({ ...base6, type: 128, rest: 1 });
  drop('ICMPv6 header cut', payloadLen(ping.subarray(0, ping.length - 2), 6));
});

t.test('Ethernet padding after a short IPv6 datagram is not mistaken for a bad length', async (t) => {
  const small = udp6({ sport: 48300 });
  const padded = Buffer.concat([small, Buffer.alloc(8)]);
  const { retval, data } = fx.runOne(padded);
  t.equal(retval, XDP_REDIRECT);
  t.equal(data.length, padded.length);
  t.equal(parsePacket(data.subarray(0, small.length)).payload.toString(), 'q');
});
