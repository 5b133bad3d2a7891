// A packet too big for the route to its member (member network MTU 1400, client side
// 1500) is not dropped silently: the client gets ICMP "fragmentation needed" (IPv4, DF
// set) or "packet too big" (IPv6) from the VIP, quoting the packet exactly as it sent it,
// so path-MTU discovery works through the balancer. XDP cannot fragment: an IPv4 packet
// without DF is dropped and counted. A packet that fits is forwarded as before.
import t, { type Test } from 'tap';
import { type ExitReasonName } from '../../src/dataplane/codecs.js';
import { icmpError, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, ICMPV6_PKT_TOOBIG } from '../lib/icmp-packets.js';
import { parseFrame } from '../lib/frames.js';
import {
  ETH_HLEN,
  NEXTHDR_DEST,
  parsePacket,
  tcpPacket,
  udpPacket,
  TCP_ACK,
  TCP_SYN,
  type IpSpec,
} from '../lib/packets.js';
import {
  CLIENT,
  CLIENT_IFACE,
  CLIENT_NET_MAC,
  LbFixture,
  MEMBERS,
  MEMBER_NET_MAC,
  type RunResult,
  SNAT_ADDR,
  MEMBER_IFACE,
  XDP_DROP,
  XDP_REDIRECT,
  XDP_TX,
} from './lb-fixture.js';
import { installServices, memberIndex, TCP_SERVICE, UDP_SERVICE, VIP } from './service.js';
import { CLIENT6, installIpv6Network, installIpv6Services, UDP6_SERVICE, VIP6 } from './service6.js';

const MEMBER_MTU = 1400;
const fx = new LbFixture(t);
installServices(fx);
installIpv6Network(fx);
installIpv6Services(fx);
fx.allowTxPort(MEMBER_IFACE);
fx.allowTxPort(CLIENT_IFACE);
fx.setMtu(MEMBER_IFACE, MEMBER_MTU);

const fromClient = { srcMac: CLIENT.mac, dstMac: CLIENT_NET_MAC };
/** A payload that makes the IP packet `ipLength` bytes with `overhead` bytes of headers. */
const payload = (ipLength: number, overhead: number): Buffer => Buffer.alloc(ipLength - overhead, 0x5a);

/**
 * The error the sender should get: from `spec.src` (the address it sent to), quoting its
 * packet's IP header and 8 L4 bytes; `ourMac` is the balancer's MAC on the sender's side.
 */
function expectedError(
  sent: Buffer,
  spec: IpSpec & { type: number; code?: number },
  quoteIpHeader: number,
  ourMac = CLIENT_NET_MAC,
): Buffer {
  return icmpError({
    srcMac: ourMac,
    dstMac: spec.srcMac,
    src: spec.src,
    dst: spec.dst,
    ttl: 64,
    id: 0,
    fragOff: 0,
    tos: spec.src.includes(':') ? undefined : 0xc0,
    type: spec.type,
    code: spec.code,
    mtu: MEMBER_MTU,
    quote: sent.subarray(ETH_HLEN, ETH_HLEN + quoteIpHeader + 8),
  });
}

function counted(reason: ExitReasonName, run: () => void): number {
  const before = fx.exitPackets(reason);
  run();
  return fx.exitPackets(reason) - before;
}

/** Runs `packet` on `iface`, asserting one ICMP_TOO_BIG and an XDP_TX out of that side. */
function bounced(t: Test, iface: string, packet: Buffer, side: string): RunResult {
  let result: RunResult = { retval: -1, data: Buffer.alloc(0) };
  t.equal(
    counted('ICMP_TOO_BIG', () => (result = fx.runOn(iface, packet))),
    1,
    'counted as ICMP_TOO_BIG',
  );
  t.equal(result.retval, XDP_TX, `sent back out of the ${side} side`);
  return result;
}

t.test('IPv4 with DF: fragmentation needed, quoting the datagram as sent', async (t) => {
  const sent = udpPacket({
    ...fromClient,
    src: CLIENT.addr,
    dst: VIP,
    sport: 41000,
    dport: UDP_SERVICE.port,
    ttl: 61,
    payload: payload(1450, 28),
  });
  const result = bounced(t, CLIENT_IFACE, sent, 'client');
  const expected = expectedError(
    sent,
    { srcMac: CLIENT.mac, src: VIP, dst: CLIENT.addr, type: ICMP_DEST_UNREACH, code: ICMP_FRAG_NEEDED },
    20,
  );
  t.same(result.data.toString('hex'), expected.toString('hex'), 'the error, bit for bit');
  t.match(parseFrame(result.data), {
    ip: { src: VIP, dst: CLIENT.addr, checksumValid: true },
    icmp: {
      type: 3,
      code: 4,
      rest: MEMBER_MTU,
      checksumValid: true,
      quote: {
        ip: { src: CLIENT.addr, dst: VIP, ttl: 61, checksumValid: true },
        l4: { sport: 41000, dport: UDP_SERVICE.port },
      },
    },
  });

  const fits = udpPacket({
    ...fromClient,
    src: CLIENT.addr,
    dst: VIP,
    sport: 41000,
    dport: UDP_SERVICE.port,
    payload: payload(MEMBER_MTU, 28),
  });
  t.equal(fx.runOn(CLIENT_IFACE, fits).retval, XDP_REDIRECT, 'the same flow at the member MTU is forwarded');
});

t.test(
  'IPv4 TCP: a full-size segment of an open connection gets the error, the SYN went through',
  async (t) => {
    const base = { ...fromClient, src: CLIENT.addr, dst: VIP, sport: 41001, dport: TCP_SERVICE.port };
    t.equal(
      fx.runOn(CLIENT_IFACE, tcpPacket({ ...base, flags: TCP_SYN })).retval,
      XDP_REDIRECT,
      'SYN forwarded',
    );
    const segment = tcpPacket({ ...base, flags: TCP_ACK, seq: 1, ack: 1, payload: payload(1500, 40) });
    const r = fx.runOn(CLIENT_IFACE, segment);
    t.equal(r.retval, XDP_TX, 'the error goes back');
    const expected = expectedError(
      segment,
      { srcMac: CLIENT.mac, src: VIP, dst: CLIENT.addr, type: ICMP_DEST_UNREACH, code: ICMP_FRAG_NEEDED },
      20,
    );
    t.same(
      r.data.toString('hex'),
      expected.toString('hex'),
      'quoting the segment as sent: ports and sequence number',
    );
  },
);

t.test('IPv4 without DF: XDP cannot fragment, so it is dropped and counted', async (t) => {
  const sent = udpPacket({
    ...fromClient,
    src: CLIENT.addr,
    dst: VIP,
    sport: 41002,
    dport: UDP_SERVICE.port,
    fragOff: 0,
    payload: payload(1450, 28),
  });
  let retval = -1;
  t.equal(
    counted('DROP_TOO_BIG', () => (retval = fx.runOn(CLIENT_IFACE, sent).retval)),
    1,
    'counted as DROP_TOO_BIG',
  );
  t.equal(retval, XDP_DROP, 'dropped');
});

t.test('IPv6: packet too big, quoting the datagram as sent', async (t) => {
  const spec = {
    ...fromClient,
    src: CLIENT6.addr,
    dst: VIP6,
    sport: 41003,
    dport: UDP6_SERVICE.port,
    ttl: 60,
  };
  const sent = udpPacket({ ...spec, payload: payload(1450, 48) });
  const result = bounced(t, CLIENT_IFACE, sent, 'client');
  const expected = expectedError(
    sent,
    { srcMac: CLIENT.mac, src: VIP6, dst: CLIENT6.addr, type: ICMPV6_PKT_TOOBIG },
    40,
  );
  t.same(result.data.toString('hex'), expected.toString('hex'), 'the error, bit for bit');
  t.match(parseFrame(result.data), {
    ip: { src: VIP6, dst: CLIENT6.addr, ttl: 64 },
    icmp: {
      type: ICMPV6_PKT_TOOBIG,
      rest: MEMBER_MTU,
      checksumValid: true,
      quote: { ip: { src: CLIENT6.addr, dst: VIP6, ttl: 60 }, l4: { sport: 41003 } },
    },
  });

  const withExt = udpPacket({
    ...spec,
    sport: 41004,
    extHeaders: [{ type: NEXTHDR_DEST }],
    payload: payload(1450, 56),
  });
  let retval = -1;
  t.equal(
    counted('DROP_TOO_BIG', () => (retval = fx.runOn(CLIENT_IFACE, withExt).retval)),
    1,
    'with an extension header: counted as DROP_TOO_BIG',
  );
  t.equal(retval, XDP_DROP, 'dropped');
});

// Last: it lowers the client side's MTU for the rest of the file.
t.test("a member's reply too big for the client side: the member gets the error", async (t) => {
  const query = udpPacket({
    ...fromClient,
    src: CLIENT.addr,
    dst: VIP,
    sport: 41005,
    dport: UDP_SERVICE.port,
  });
  const out = parsePacket(fx.runOn(CLIENT_IFACE, query).data);
  const member = MEMBERS[memberIndex(out.dst)]!;
  fx.setMtu(CLIENT_IFACE, MEMBER_MTU);
  t.teardown(() => fx.setMtu(CLIENT_IFACE, 1500));
  const reply = udpPacket({
    srcMac: member.mac,
    dstMac: MEMBER_NET_MAC,
    src: member.addr,
    dst: SNAT_ADDR,
    sport: out.dport,
    dport: out.sport,
    ttl: 63,
    payload: payload(1450, 28),
  });
  const result = bounced(t, MEMBER_IFACE, reply, 'member');
  const expected = expectedError(
    reply,
    {
      srcMac: member.mac,
      src: SNAT_ADDR,
      dst: member.addr,
      type: ICMP_DEST_UNREACH,
      code: ICMP_FRAG_NEEDED,
    },
    20,
    MEMBER_NET_MAC,
  );
  t.same(
    result.data.toString('hex'),
    expected.toString('hex'),
    'from the address the member sent to, quoting its reply',
  );

  const small = udpPacket({
    srcMac: member.mac,
    dstMac: MEMBER_NET_MAC,
    src: member.addr,
    dst: SNAT_ADDR,
    sport: out.dport,
    dport: out.sport,
    payload: payload(MEMBER_MTU, 28),
  });
  t.equal(
    fx.runOn(MEMBER_IFACE, small).retval,
    XDP_REDIRECT,
    'a reply that fits goes on to the client (redirected to its interface)',
  );
});
