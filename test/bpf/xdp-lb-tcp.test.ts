import t from 'tap';
import { IPPROTO_TCP, LB_DIR_FORWARD, LB_DIR_REVERSE } from '../../src/dataplane/codecs.js';
import {
  ipChecksumValid,
  l4ChecksumValid,
  parsePacket,
  tcpPacket,
  TCP_ACK,
  TCP_SYN,
} from '../lib/packets.js';
import {
  CLIENT,
  CLIENT_IFACE,
  CLIENT_NET_MAC,
  LbFixture,
  MEMBERS,
  MEMBER_IFACE,
  MEMBER_NET_MAC,
  SNAT_ADDR,
  XDP_DROP,
  XDP_REDIRECT,
} from './lb-fixture.js';
import { backendId, installServices, memberIndex, SNAT_RANGE, TCP_SERVICE, VIP } from './service.js';

const NO_MAC = '00:00:00:00:00:00';

const fx = new LbFixture(t);
installServices(fx);

const syn = {
  srcMac: CLIENT.mac,
  dstMac: CLIENT_NET_MAC,
  src: CLIENT.addr,
  dst: VIP,
  sport: 40000,
  dport: TCP_SERVICE.port,
  flags: TCP_SYN,
  seq: 0x01020304,
  id: 0x4242,
  payload: Buffer.from('hello'),
};

t.test('without a DEVMAP entry for the egress NIC the SYN is dropped (DROP_FIB)', async (t) => {
  const { retval } = fx.runOne(tcpPacket({ ...syn, sport: 39999 }));
  t.equal(retval, XDP_DROP);
  t.equal(fx.exitPackets('DROP_FIB'), 1);
  t.equal(fx.vipStats(TCP_SERVICE.vipId).drops, 1, 'counted as a drop of the VIP');
});

t.test('a SYN to the VIP leaves rewritten to SNAT -> member, bit for bit', async (t) => {
  fx.allowTxPort(MEMBER_IFACE);
  const clientIfindex = fx.allowTxPort(CLIENT_IFACE);
  const vipBefore = fx.vipStats(TCP_SERVICE.vipId);
  const backendsBefore = MEMBERS.map((_, i) => fx.backendStats(backendId(TCP_SERVICE, i)));
  const { retval, data } = fx.runOn(CLIENT_IFACE, tcpPacket(syn));
  t.equal(retval, XDP_REDIRECT, 'towards the member NIC, not the ingress one');
  const out = parsePacket(data);
  const member = MEMBERS[memberIndex(out.dst)]!;
  t.ok(out.sport >= SNAT_RANGE.snatPortMin && out.sport <= SNAT_RANGE.snatPortMax, `SNAT port ${out.sport}`);
  const expected = tcpPacket({
    ...syn,
    srcMac: MEMBER_NET_MAC,
    dstMac: member.mac,
    src: SNAT_ADDR,
    dst: member.addr,
    sport: out.sport,
    dport: TCP_SERVICE.memberPort,
    ttl: 63,
  });
  t.same(data.toString('hex'), expected.toString('hex'), 'bytes equal a packet built from scratch');
  t.ok(ipChecksumValid(data), 'IPv4 checksum');
  t.ok(l4ChecksumValid(data), 'TCP checksum');

  const id = backendId(TCP_SERVICE, memberIndex(member.addr));
  const fwd = fx.flow({ src: CLIENT.addr, dst: VIP, sport: syn.sport, dport: syn.dport, proto: IPPROTO_TCP });
  t.match(fwd, {
    natSrc: SNAT_ADDR,
    natDst: member.addr,
    natSport: out.sport,
    natDport: TCP_SERVICE.memberPort,
    backendId: id,
    vipId: TCP_SERVICE.vipId,
    dir: LB_DIR_FORWARD,
    l2Dst: NO_MAC,
    l2Src: NO_MAC,
    ifindex: 0,
  });
  t.ok(fwd!.lastSeenNs > 0n);
  const rev = fx.flow({
    src: member.addr,
    dst: SNAT_ADDR,
    sport: TCP_SERVICE.memberPort,
    dport: out.sport,
    proto: IPPROTO_TCP,
  });
  t.match(rev, {
    natSrc: VIP,
    natDst: CLIENT.addr,
    natSport: TCP_SERVICE.port,
    natDport: syn.sport,
    backendId: id,
    vipId: TCP_SERVICE.vipId,
    dir: LB_DIR_REVERSE,
    l2Dst: CLIENT.mac,
    l2Src: CLIENT_NET_MAC,
    ifindex: clientIfindex,
  });

  // The member answers SYN-ACK to snat:port; the client must see it from the VIP.
  const synAck = {
    srcMac: '02:00:00:00:99:99',
    dstMac: MEMBER_NET_MAC,
    src: member.addr,
    dst: SNAT_ADDR,
    sport: TCP_SERVICE.memberPort,
    dport: out.sport,
    flags: TCP_SYN | TCP_ACK,
    seq: 0x0a0b0c0d,
    ack: syn.seq + 1,
    ttl: 64,
    payload: Buffer.from('world!'),
  };
  const reply = fx.runOn(MEMBER_IFACE, tcpPacket(synAck));
  t.equal(reply.retval, XDP_REDIRECT);
  const expectedReply = tcpPacket({
    ...synAck,
    srcMac: CLIENT_NET_MAC,
    dstMac: CLIENT.mac,
    src: VIP,
    dst: CLIENT.addr,
    sport: TCP_SERVICE.port,
    dport: syn.sport,
    ttl: 63,
  });
  t.same(reply.data.toString('hex'), expectedReply.toString('hex'), 'reply translated back to VIP -> client');
  t.ok(ipChecksumValid(reply.data) && l4ChecksumValid(reply.data), 'reply checksums');

  // The client's next segment (an ACK) follows the flow to the same member and port.
  const ack = fx.runOn(
    CLIENT_IFACE,
    tcpPacket({ ...syn, flags: TCP_ACK, seq: syn.seq + 1, ack: synAck.seq + 1, payload: undefined }),
  );
  t.equal(ack.retval, XDP_REDIRECT);
  const ackOut = parsePacket(ack.data);
  t.match(ackOut, {
    src: SNAT_ADDR,
    dst: member.addr,
    sport: out.sport,
    dport: TCP_SERVICE.memberPort,
    flags: TCP_ACK,
  });
  t.ok(ipChecksumValid(ack.data) && l4ChecksumValid(ack.data));

  const vip = fx.vipStats(TCP_SERVICE.vipId);
  t.same(
    {
      rxPackets: vip.rxPackets - vipBefore.rxPackets,
      rxBytes: vip.rxBytes - vipBefore.rxBytes,
      txPackets: vip.txPackets - vipBefore.txPackets,
      txBytes: vip.txBytes - vipBefore.txBytes,
      newFlows: vip.newFlows - vipBefore.newFlows,
    },
    {
      rxPackets: 2,
      rxBytes: data.length + ack.data.length,
      txPackets: 1,
      txBytes: reply.data.length,
      newFlows: 1,
    },
    'VIP counters',
  );
  const backend = fx.backendStats(id);
  const backendBefore = backendsBefore[memberIndex(member.addr)]!;
  t.same(
    [
      backend.rxPackets - backendBefore.rxPackets,
      backend.txPackets - backendBefore.txPackets,
      backend.newFlows - backendBefore.newFlows,
    ],
    [2, 1, 1],
    'member counters: rx, tx, new flows',
  );
  t.equal(fx.exitPackets('REDIRECT'), 3);
});

t.test('IPv4 options are honoured: ports and checksums found after them', async (t) => {
  const options = Buffer.from([0x01, 0x01, 0x01, 0x00]); // NOP NOP NOP EOL
  const { retval, data } = fx.runOne(tcpPacket({ ...syn, sport: 40100, ipOptions: options }));
  t.equal(retval, XDP_REDIRECT);
  const out = parsePacket(data);
  t.equal(out.dport, TCP_SERVICE.memberPort);
  t.equal(out.payload.toString(), 'hello');
  t.ok(ipChecksumValid(data) && l4ChecksumValid(data));
  t.same(data.subarray(34, 38), options, 'options kept');
});

t.test('new flows spread over every member of the ring', async (t) => {
  const packets = Array.from({ length: 30 }, (_, i) => tcpPacket({ ...syn, sport: 41000 + i }));
  const seen = new Set(fx.run(...packets).map((r) => parsePacket(r.data).dst));
  t.same([...seen].sort(), MEMBERS.map((m) => m.addr).sort());
});

t.test('a TTL of 1 goes to the kernel untouched (it sends time exceeded)', async (t) => {
  const packet = tcpPacket({ ...syn, sport: 42000, ttl: 1 });
  const before = fx.flowCount();
  const { retval, data } = fx.runOne(packet);
  t.equal(retval, 2 /* XDP_PASS */);
  t.same(data, packet);
  t.equal(fx.flowCount(), before, 'no flow created');
  t.equal(fx.exitPackets('PASS_TTL'), 1);
});
