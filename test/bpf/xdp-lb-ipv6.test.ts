// IPv6 VIPs and members: TCP and UDP flows there and back, bit for bit against packets
// built from scratch, checksums recomputed, hop limit decremented, extension headers kept.
import t from 'tap';
import { IPPROTO_TCP, IPPROTO_UDP, LB_DIR_FORWARD, LB_DIR_REVERSE } from '../../src/dataplane/codecs.js';
import {
  l4ChecksumValid,
  NEXTHDR_DEST,
  NEXTHDR_HOP,
  onesSum,
  parsePacket,
  tcpPacket,
  udpPacket,
  TCP_ACK,
  TCP_SYN,
  ETH_HLEN,
  IPV6_HLEN,
  type UdpSpec,
} from '../lib/packets.js';
import { parseFrame } from '../lib/frames.js';
import {
  CLIENT_IFACE,
  CLIENT_NET_MAC,
  LbFixture,
  MEMBER_IFACE,
  MEMBER_NET_MAC,
  XDP_PASS,
  XDP_REDIRECT,
} from './lb-fixture.js';
import { installServices, SNAT_RANGE } from './service.js';
import {
  backendId6,
  CLIENT6,
  flow6,
  installIpv6Network,
  installIpv6Services,
  MEMBERS6,
  member6Index,
  SNAT6,
  TCP6_SERVICE,
  UDP6_SERVICE,
  VIP6,
} from './service6.js';

const fx = new LbFixture(t);
installServices(fx);
installIpv6Network(fx);
installIpv6Services(fx);
fx.allowTxPort(MEMBER_IFACE);
const clientIfindex = fx.allowTxPort(CLIENT_IFACE);

const syn = {
  srcMac: CLIENT6.mac,
  dstMac: CLIENT_NET_MAC,
  src: CLIENT6.addr,
  dst: VIP6,
  sport: 40000,
  dport: TCP6_SERVICE.port,
  flags: TCP_SYN,
  seq: 0x01020304,
  trafficClass: 0x28,
  flowLabel: 0x12345,
  payload: Buffer.from('hello over v6'),
};

t.test('a TCP flow over IPv6 goes there and back, bit for bit', async (t) => {
  const { retval, data } = fx.runOn(CLIENT_IFACE, tcpPacket(syn));
  t.equal(retval, XDP_REDIRECT, 'towards the member NIC');
  const out = parsePacket(data);
  const member = MEMBERS6[member6Index(out.dst)]!;
  t.ok(out.sport >= SNAT_RANGE.snatPortMin && out.sport <= SNAT_RANGE.snatPortMax, `SNAT port ${out.sport}`);
  const expected = tcpPacket({
    ...syn,
    srcMac: MEMBER_NET_MAC,
    dstMac: member.mac,
    src: SNAT6,
    dst: member.addr,
    sport: out.sport,
    dport: TCP6_SERVICE.memberPort,
    ttl: 63,
  });
  t.same(data.toString('hex'), expected.toString('hex'), 'bytes equal a packet built from scratch');
  t.equal(out.ttl, 63, 'hop limit decremented');
  t.ok(l4ChecksumValid(data), 'TCP checksum recomputed over the new pseudo-header');
  t.match(parseFrame(data).ip, { tos: 0x28, flowLabel: 0x12345 }, 'traffic class and flow label kept');

  const id = backendId6(TCP6_SERVICE, member6Index(member.addr));
  t.match(
    flow6(fx, { src: CLIENT6.addr, dst: VIP6, sport: syn.sport, dport: syn.dport, proto: IPPROTO_TCP }),
    {
      natSrc: SNAT6,
      natDst: member.addr,
      natSport: out.sport,
      natDport: TCP6_SERVICE.memberPort,
      backendId: id,
      vipId: TCP6_SERVICE.vipId,
      dir: LB_DIR_FORWARD,
    },
  );
  const revKey = {
    src: member.addr,
    dst: SNAT6,
    sport: TCP6_SERVICE.memberPort,
    dport: out.sport,
    proto: IPPROTO_TCP,
  };
  t.match(flow6(fx, revKey), {
    natSrc: VIP6,
    natDst: CLIENT6.addr,
    natSport: TCP6_SERVICE.port,
    natDport: syn.sport,
    dir: LB_DIR_REVERSE,
    l2Dst: CLIENT6.mac,
    l2Src: CLIENT_NET_MAC,
    ifindex: clientIfindex,
  });

  const synAck = {
    srcMac: member.mac,
    dstMac: MEMBER_NET_MAC,
    src: member.addr,
    dst: SNAT6,
    sport: TCP6_SERVICE.memberPort,
    dport: out.sport,
    flags: TCP_SYN | TCP_ACK,
    seq: 0x0a0b0c0d,
    ack: syn.seq + 1,
    ttl: 60,
    payload: Buffer.from('world'),
  };
  const reply = fx.runOn(MEMBER_IFACE, tcpPacket(synAck));
  t.equal(reply.retval, XDP_REDIRECT);
  const expectedReply = tcpPacket({
    ...synAck,
    srcMac: CLIENT_NET_MAC,
    dstMac: CLIENT6.mac,
    src: VIP6,
    dst: CLIENT6.addr,
    sport: TCP6_SERVICE.port,
    dport: syn.sport,
    ttl: 59,
  });
  t.same(reply.data.toString('hex'), expectedReply.toString('hex'), 'reply translated back to VIP -> client');
  t.ok(l4ChecksumValid(reply.data));

  const ack = fx.runOn(
    CLIENT_IFACE,
    tcpPacket({ ...syn, flags: TCP_ACK, seq: syn.seq + 1, ack: synAck.seq + 1 }),
  );
  t.equal(ack.retval, XDP_REDIRECT);
  t.match(parsePacket(ack.data), { src: SNAT6, dst: member.addr, sport: out.sport, flags: TCP_ACK });
  t.ok(l4ChecksumValid(ack.data));
  t.equal(fx.vipStats(TCP6_SERVICE.vipId).newFlows, 1, 'one flow');
});

const query: UdpSpec = {
  srcMac: CLIENT6.mac,
  dstMac: CLIENT_NET_MAC,
  src: CLIENT6.addr,
  dst: VIP6,
  sport: 33000,
  dport: UDP6_SERVICE.port,
  payload: Buffer.from('a query over v6'),
};

t.test('a UDP flow over IPv6 goes there and back', async (t) => {
  const { retval, data } = fx.runOn(CLIENT_IFACE, udpPacket(query));
  t.equal(retval, XDP_REDIRECT);
  const out = parsePacket(data);
  const member = MEMBERS6[member6Index(out.dst)]!;
  const expected = udpPacket({
    ...query,
    srcMac: MEMBER_NET_MAC,
    dstMac: member.mac,
    src: SNAT6,
    dst: member.addr,
    sport: out.sport,
    dport: UDP6_SERVICE.memberPort,
    ttl: 63,
  });
  t.same(data.toString('hex'), expected.toString('hex'), 'forward bytes');
  t.ok(l4ChecksumValid(data), 'UDP checksum');
  t.equal(
    flow6(fx, {
      src: member.addr,
      dst: SNAT6,
      sport: UDP6_SERVICE.memberPort,
      dport: out.sport,
      proto: IPPROTO_UDP,
    })?.backendId,
    backendId6(UDP6_SERVICE, member6Index(member.addr)),
  );

  const answer = {
    srcMac: member.mac,
    dstMac: MEMBER_NET_MAC,
    src: member.addr,
    dst: SNAT6,
    sport: UDP6_SERVICE.memberPort,
    dport: out.sport,
    payload: Buffer.from('the answer'),
  };
  const reply = fx.runOn(MEMBER_IFACE, udpPacket(answer));
  t.equal(reply.retval, XDP_REDIRECT);
  const expectedReply = udpPacket({
    ...answer,
    srcMac: CLIENT_NET_MAC,
    dstMac: CLIENT6.mac,
    src: VIP6,
    dst: CLIENT6.addr,
    sport: UDP6_SERVICE.port,
    dport: query.sport,
    ttl: 63,
  });
  t.same(reply.data.toString('hex'), expectedReply.toString('hex'), 'reply bytes');
});

t.test('UDP over IPv6 never leaves with checksum 0', async (t) => {
  // A datagram arriving with 0 (invalid over IPv6) still gets a checksum written.
  const zero = fx.runOn(CLIENT_IFACE, udpPacket({ ...query, sport: 33001, noChecksum: true }));
  t.equal(zero.retval, XDP_REDIRECT);
  t.not(parsePacket(zero.data).l4Checksum, 0, 'a zero checksum is not passed on');

  // A payload chosen so the rewritten datagram's checksum computes to 0: it must be sent as 0xffff.
  const sport = 33002;
  const first = parsePacket(fx.runOn(CLIENT_IFACE, udpPacket({ ...query, sport })).data);
  const member = MEMBERS6[member6Index(first.dst)]!;
  const outSpec = {
    ...query,
    srcMac: MEMBER_NET_MAC,
    dstMac: member.mac,
    src: SNAT6,
    dst: member.addr,
    sport: first.sport,
    dport: UDP6_SERVICE.memberPort,
    ttl: 63,
  };
  const payload = Buffer.alloc(16, 0x5a);
  payload.writeUInt16BE(0, 14);
  const unfixed = udpPacket({ ...outSpec, payload, noChecksum: true });
  const l4 = unfixed.subarray(ETH_HLEN + IPV6_HLEN);
  const pseudo = onesSum(
    Buffer.concat([
      unfixed.subarray(ETH_HLEN + 8, ETH_HLEN + 40),
      Buffer.from([0, 0, 0, l4.length, 0, 0, 0, 17]),
    ]),
  );
  payload.writeUInt16BE(0xffff - onesSum(l4, pseudo), 14);
  const expected = udpPacket({ ...outSpec, payload });
  t.equal(parsePacket(expected).l4Checksum, 0xffff, 'the test packet does compute to 0');
  const { data } = fx.runOn(CLIENT_IFACE, udpPacket({ ...query, sport, payload }));
  t.same(data.toString('hex'), expected.toString('hex'), 'sent as 0xffff');
});

t.test('extension headers before TCP are walked and kept', async (t) => {
  const extHeaders = [{ type: NEXTHDR_HOP }, { type: NEXTHDR_DEST, length: 16 }];
  const packet = tcpPacket({ ...syn, sport: 40100, extHeaders });
  const { retval, data } = fx.runOn(CLIENT_IFACE, packet);
  t.equal(retval, XDP_REDIRECT);
  const out = parsePacket(data);
  const member = MEMBERS6[member6Index(out.dst)]!;
  const expected = tcpPacket({
    ...syn,
    sport: out.sport,
    extHeaders,
    srcMac: MEMBER_NET_MAC,
    dstMac: member.mac,
    src: SNAT6,
    dst: member.addr,
    dport: TCP6_SERVICE.memberPort,
    ttl: 63,
  });
  t.same(data.toString('hex'), expected.toString('hex'), 'bytes equal, extension headers untouched');
  t.same(parseFrame(data).ip.extHeaders, [NEXTHDR_HOP, NEXTHDR_DEST]);
  t.ok(l4ChecksumValid(data));
  t.equal(out.payload.toString(), syn.payload.toString());
});

t.test('a hop limit of 1 goes to the kernel untouched', async (t) => {
  const packet = tcpPacket({ ...syn, sport: 42000, ttl: 1 });
  const flows = fx.flowCount();
  const before = fx.exitPackets('PASS_TTL');
  const { retval, data } = fx.runOn(CLIENT_IFACE, packet);
  t.equal(retval, XDP_PASS);
  t.same(data, packet);
  t.equal(fx.flowCount(), flows, 'no flow created');
  t.equal(fx.exitPackets('PASS_TTL') - before, 1);

  // On an established flow too: the member's reply with hop limit 1 is not forwarded.
  const fwd = parsePacket(fx.runOn(CLIENT_IFACE, tcpPacket({ ...syn, sport: 42001 })).data);
  const reply = tcpPacket({
    src: fwd.dst,
    dst: SNAT6,
    sport: TCP6_SERVICE.memberPort,
    dport: fwd.sport,
    flags: TCP_SYN | TCP_ACK,
    ttl: 1,
  });
  const r = fx.runOn(MEMBER_IFACE, reply);
  t.equal(r.retval, XDP_PASS);
  t.same(r.data, reply);
  t.equal(fx.exitPackets('PASS_TTL') - before, 2);
});
