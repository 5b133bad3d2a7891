// ICMP errors about a NAT'ed flow are translated, inner and outer headers and every
// checksum, towards the flow's other side (so path-MTU discovery works through the
// balancer); errors that cannot be translated pass to the kernel.
import t from 'tap';
import { type ExitReasonName } from '../../src/dataplane/codecs.js';
import { ETH_HLEN, parsePacket, tcpPacket, udpPacket, TCP_ACK, TCP_SYN } from '../lib/packets.js';
import {
  icmpEcho,
  icmpError,
  ICMP_DEST_UNREACH,
  ICMP_FRAG_NEEDED,
  ICMP_PORT_UNREACH,
  ICMP_TIME_EXCEEDED,
  ICMPV6_DEST_UNREACH,
  ICMPV6_PKT_TOOBIG,
} from '../lib/icmp-packets.js';
import { parseFrame } from '../lib/frames.js';
import {
  CLIENT,
  CLIENT_IFACE,
  CLIENT_NET_MAC,
  LbFixture,
  MEMBERS,
  MEMBER_IFACE,
  MEMBER_NET_MAC,
  SNAT_ADDR,
  XDP_PASS,
  XDP_REDIRECT,
} from './lb-fixture.js';
import { installServices, memberIndex, TCP_SERVICE, UDP_SERVICE, VIP } from './service.js';
import {
  CLIENT6,
  installIpv6Network,
  installIpv6Services,
  MEMBERS6,
  member6Index,
  SNAT6,
  TCP6_SERVICE,
  VIP6,
} from './service6.js';

const fx = new LbFixture(t);
installServices(fx);
installIpv6Network(fx);
installIpv6Services(fx);
fx.allowTxPort(MEMBER_IFACE);
fx.allowTxPort(CLIENT_IFACE);

const ROUTER_MAC = '02:00:0a:c8:02:fe';
const fromClient = { srcMac: CLIENT.mac, dstMac: CLIENT_NET_MAC };
const toClient = { srcMac: CLIENT_NET_MAC, dstMac: CLIENT.mac };
const ip = (frame: Buffer): Buffer => frame.subarray(ETH_HLEN);

interface Asserts {
  equal(found: unknown, wanted: unknown, message: string): boolean;
  same(found: unknown, wanted: unknown, message: string): boolean;
}

function expectPass(
  t: Asserts,
  name: string,
  packet: Buffer,
  reason: ExitReasonName,
  ingress = CLIENT_IFACE,
): void {
  const before = fx.exitPackets(reason);
  const { retval, data } = fx.runOn(ingress, packet);
  t.equal(retval, XDP_PASS, `${name}: passed`);
  t.same(data, packet, `${name}: unchanged`);
  t.equal(fx.exitPackets(reason) - before, 1, `${name}: counted as ${reason}`);
}

/** Opens a flow with `first` from the client; returns the packet the member received. */
function open(first: Buffer): { fwd: Buffer; out: ReturnType<typeof parsePacket> } {
  const r = fx.runOn(CLIENT_IFACE, first);
  if (r.retval !== XDP_REDIRECT) throw new Error(`flow not opened: verdict ${r.retval}`);
  return { fwd: r.data, out: parsePacket(r.data) };
}

const syn = {
  ...fromClient,
  src: CLIENT.addr,
  dst: VIP,
  dport: TCP_SERVICE.port,
  flags: TCP_SYN,
  payload: Buffer.from('x'.repeat(40)),
};

t.test('fragmentation needed from the member side reaches the client translated', async (t) => {
  const { fwd } = open(tcpPacket({ ...syn, sport: 47000 }));
  const txBefore = fx.vipStats(TCP_SERVICE.vipId).txPackets;
  const router = { srcMac: ROUTER_MAC, dstMac: MEMBER_NET_MAC, src: '10.200.2.254', dst: SNAT_ADDR, ttl: 64 };
  const sent = { ...syn, sport: 47000, ttl: 63 }; // what the client sent, as it left us
  for (const [name, quoted] of [
    ['whole quote', ip(fwd).length],
    ['8 bytes of TCP', 28],
  ] as const) {
    const error = icmpError({
      ...router,
      type: ICMP_DEST_UNREACH,
      code: ICMP_FRAG_NEEDED,
      mtu: 1400,
      quote: ip(fwd).subarray(0, quoted),
    });
    const { retval, data } = fx.runOn(MEMBER_IFACE, error);
    t.equal(retval, XDP_REDIRECT, `${name}: to the client's last hop`);
    const expected = icmpError({
      ...toClient,
      src: VIP,
      dst: CLIENT.addr,
      ttl: 63,
      type: ICMP_DEST_UNREACH,
      code: ICMP_FRAG_NEEDED,
      mtu: 1400,
      quote: ip(tcpPacket(sent)).subarray(0, quoted),
    });
    t.same(data.toString('hex'), expected.toString('hex'), `${name}: bit for bit`);
    const f = parseFrame(data);
    t.match(
      f,
      {
        dstMac: CLIENT.mac,
        ip: { src: VIP, dst: CLIENT.addr, ttl: 63, checksumValid: true },
        icmp: { type: 3, code: 4, rest: 1400, checksumValid: true },
      },
      `${name}: outer headers`,
    );
    t.match(
      f.icmp?.quote,
      {
        ip: { src: CLIENT.addr, dst: VIP, checksumValid: true },
        l4: { sport: 47000, dport: TCP_SERVICE.port },
      },
      `${name}: the quote is what the client sent`,
    );
    t.equal(
      f.icmp?.quote?.l4?.checksumValid,
      quoted === 28 ? undefined : true,
      `${name}: quoted TCP checksum`,
    );
  }
  t.equal(fx.vipStats(TCP_SERVICE.vipId).txPackets - txBefore, 2, 'counted towards the client');
});

t.test('port unreachable for UDP: the quoted UDP checksum is translated too', async (t) => {
  const query = {
    ...fromClient,
    src: CLIENT.addr,
    dst: VIP,
    sport: 34000,
    dport: UDP_SERVICE.port,
    payload: Buffer.from('q'),
  };
  const { fwd, out } = open(udpPacket(query));
  const member = MEMBERS[memberIndex(out.dst)]!;
  const error = icmpError({
    srcMac: member.mac,
    dstMac: MEMBER_NET_MAC,
    src: member.addr,
    dst: SNAT_ADDR,
    type: ICMP_DEST_UNREACH,
    code: ICMP_PORT_UNREACH,
    quote: ip(fwd).subarray(0, 28),
  });
  const { retval, data } = fx.runOn(MEMBER_IFACE, error);
  t.equal(retval, XDP_REDIRECT);
  const quote = ip(udpPacket({ ...query, ttl: 63 })).subarray(0, 28);
  t.same(
    data,
    icmpError({ ...toClient, src: VIP, dst: CLIENT.addr, ttl: 63, type: 3, code: 3, quote }),
    'bit for bit',
  );
  t.match(parseFrame(data), {
    ip: { checksumValid: true },
    icmp: { checksumValid: true, quote: { ip: { checksumValid: true } } },
  });
});

const syn6 = {
  ...fromClient,
  src: CLIENT6.addr,
  dst: VIP6,
  dport: TCP6_SERVICE.port,
  flags: TCP_SYN,
  payload: Buffer.from('y'.repeat(40)),
};

t.test('packet too big (IPv6) from the member side reaches the client translated', async (t) => {
  const { fwd } = open(tcpPacket({ ...syn6, sport: 47100 }));
  const error = icmpError({
    srcMac: ROUTER_MAC,
    dstMac: MEMBER_NET_MAC,
    src: 'fd00:206:2::fe',
    dst: SNAT6,
    type: ICMPV6_PKT_TOOBIG,
    mtu: 1280,
    quote: ip(fwd),
  });
  const { retval, data } = fx.runOn(MEMBER_IFACE, error);
  t.equal(retval, XDP_REDIRECT);
  const quote = ip(tcpPacket({ ...syn6, sport: 47100, ttl: 63 }));
  const expected = icmpError({
    ...toClient,
    src: VIP6,
    dst: CLIENT6.addr,
    ttl: 63,
    type: ICMPV6_PKT_TOOBIG,
    mtu: 1280,
    quote,
  });
  t.same(data.toString('hex'), expected.toString('hex'), 'bit for bit');
  const f = parseFrame(data);
  t.match(f, {
    ip: { src: VIP6, dst: CLIENT6.addr, ttl: 63 },
    icmp: { type: 2, code: 0, rest: 1280, checksumValid: true },
  });
  t.match(f.icmp?.quote, {
    ip: { src: CLIENT6.addr, dst: VIP6 },
    l4: { sport: 47100, dport: 80, checksumValid: true },
  });
});

t.test('an error from the client side about a reply reaches the member translated', async (t) => {
  const query = { ...fromClient, src: CLIENT.addr, dst: VIP, sport: 34100, dport: UDP_SERVICE.port };
  const { out } = open(udpPacket(query));
  const member = MEMBERS[memberIndex(out.dst)]!;
  const answer = {
    srcMac: member.mac,
    dstMac: MEMBER_NET_MAC,
    src: member.addr,
    dst: SNAT_ADDR,
    sport: UDP_SERVICE.memberPort,
    dport: out.sport,
    payload: Buffer.from('late answer'),
  };
  const reply = fx.runOn(MEMBER_IFACE, udpPacket(answer)).data;
  const error = icmpError({
    ...fromClient,
    src: CLIENT.addr,
    dst: VIP,
    type: ICMP_DEST_UNREACH,
    code: ICMP_PORT_UNREACH,
    quote: ip(reply),
  });
  const { retval, data } = fx.runOn(CLIENT_IFACE, error);
  t.equal(retval, XDP_REDIRECT, 'towards the member NIC');
  const quote = ip(udpPacket({ ...answer, ttl: 63 }));
  const expected = icmpError({
    srcMac: MEMBER_NET_MAC,
    dstMac: member.mac,
    src: SNAT_ADDR,
    dst: member.addr,
    ttl: 63,
    type: 3,
    code: 3,
    quote,
  });
  t.same(data.toString('hex'), expected.toString('hex'), 'bit for bit');
  t.match(parseFrame(data).icmp?.quote, {
    ip: { src: member.addr, dst: SNAT_ADDR, checksumValid: true },
    l4: { checksumValid: true },
  });

  // IPv6, TCP: the client's "unreachable" about the SYN-ACK.
  const { out: out6 } = open(tcpPacket({ ...syn6, sport: 47200 }));
  const member6 = MEMBERS6[member6Index(out6.dst)]!;
  const synAck = {
    srcMac: member6.mac,
    dstMac: MEMBER_NET_MAC,
    src: member6.addr,
    dst: SNAT6,
    sport: 8080,
    dport: out6.sport,
    flags: TCP_SYN | TCP_ACK,
  };
  const reply6 = fx.runOn(MEMBER_IFACE, tcpPacket(synAck)).data;
  const error6 = icmpError({
    ...fromClient,
    src: CLIENT6.addr,
    dst: VIP6,
    type: ICMPV6_DEST_UNREACH,
    code: 1,
    quote: ip(reply6),
  });
  const r6 = fx.runOn(CLIENT_IFACE, error6);
  t.equal(r6.retval, XDP_REDIRECT);
  const quote6 = ip(tcpPacket({ ...synAck, ttl: 63 }));
  t.same(
    r6.data,
    icmpError({
      srcMac: MEMBER_NET_MAC,
      dstMac: member6.mac,
      src: SNAT6,
      dst: member6.addr,
      ttl: 63,
      type: 1,
      code: 1,
      quote: quote6,
    }),
    'IPv6 bit for bit',
  );
  t.match(parseFrame(r6.data).icmp, { checksumValid: true, quote: { l4: { checksumValid: true } } });
});

t.test('errors that cannot be translated pass to the kernel', async (t) => {
  const router = { srcMac: ROUTER_MAC, dstMac: MEMBER_NET_MAC, src: '10.200.2.254', dst: SNAT_ADDR };
  const unknown = ip(
    tcpPacket({ src: SNAT_ADDR, dst: MEMBERS[0]!.addr, sport: 12345, dport: 8080, flags: TCP_ACK }),
  );
  expectPass(
    t,
    'unknown flow',
    icmpError({ ...router, type: ICMP_DEST_UNREACH, code: 4, quote: unknown }),
    'PASS_ICMP',
    MEMBER_IFACE,
  );
  const unknown6 = ip(
    tcpPacket({ src: SNAT6, dst: MEMBERS6[0]!.addr, sport: 12345, dport: 8080, flags: TCP_ACK }),
  );
  const router6 = { ...router, src: 'fd00:206:2::fe', dst: SNAT6 };
  expectPass(
    t,
    'unknown IPv6 flow',
    icmpError({ ...router6, type: ICMPV6_PKT_TOOBIG, mtu: 1280, quote: unknown6 }),
    'PASS_ICMP',
    MEMBER_IFACE,
  );
  const echoQuote = ip(icmpEcho({ src: SNAT_ADDR, dst: MEMBERS[0]!.addr, ident: 1, seq: 1 }));
  expectPass(
    t,
    'quote not TCP/UDP',
    icmpError({ ...router, type: ICMP_TIME_EXCEEDED, quote: echoQuote }),
    'PASS_ICMP',
    MEMBER_IFACE,
  );
  const { fwd } = open(tcpPacket({ ...syn, sport: 47300 }));
  expectPass(
    t,
    'quote cut inside the ports',
    icmpError({ ...router, type: 3, code: 4, quote: ip(fwd).subarray(0, 22) }),
    'PASS_ICMP',
    MEMBER_IFACE,
  );
  expectPass(
    t,
    'addressed elsewhere than the quote came from',
    icmpError({ ...router, dst: '10.200.2.2', type: 3, code: 4, quote: ip(fwd) }),
    'PASS_ICMP',
    MEMBER_IFACE,
  );
  expectPass(
    t,
    'TTL 1',
    icmpError({ ...router, ttl: 1, type: 3, code: 4, quote: ip(fwd) }),
    'PASS_TTL',
    MEMBER_IFACE,
  );
});
