// XDP_TX: when the next hop is behind the interface the packet arrived on (a client on
// the member network, here a member calling its own VIP), the packet goes back out of
// that interface with its MACs rewritten, without a DEVMAP entry.
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
  LbFixture,
  MEMBERS,
  MEMBER_IFACE,
  MEMBER_NET_MAC,
  SNAT_ADDR,
  XDP_DROP,
  XDP_TX,
} from './lb-fixture.js';
import { installServices, memberIndex, SNAT_RANGE, TCP_SERVICE, VIP } from './service.js';

const fx = new LbFixture(t);
installServices(fx);

// The client is the third member; the reply goes back to the MAC its SYN came from.
const client = MEMBERS[2]!;
const syn = {
  srcMac: client.mac,
  dstMac: MEMBER_NET_MAC,
  src: client.addr,
  dst: VIP,
  sport: 45000,
  dport: TCP_SERVICE.port,
  flags: TCP_SYN,
  seq: 0x11223344,
  id: 0x1234,
  payload: Buffer.from('hairpin'),
};

t.test('arriving elsewhere, the member NIC needs a DEVMAP entry (none here: DROP_FIB)', async (t) => {
  const { retval } = fx.runOne(tcpPacket({ ...syn, sport: 44999 }));
  t.equal(retval, XDP_DROP);
  t.equal(fx.exitPackets('DROP_FIB'), 1);
  t.equal(fx.exitPackets('TX'), 0);
});

t.test('a SYN whose member is behind the ingress NIC leaves by XDP_TX, rewritten', async (t) => {
  const { retval, data } = fx.runOn(MEMBER_IFACE, tcpPacket(syn));
  t.equal(retval, XDP_TX, 'back out of the ingress interface');
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
  t.same(data.toString('hex'), expected.toString('hex'), 'MACs, addresses, ports and TTL rewritten');
  t.ok(ipChecksumValid(data) && l4ChecksumValid(data), 'checksums');
  t.equal(fx.exitPackets('TX'), 1, 'LB_EXIT_TX counted');
  t.equal(fx.exitPackets('REDIRECT'), 0);
  t.match(fx.flow({ src: client.addr, dst: VIP, sport: syn.sport, dport: syn.dport, proto: IPPROTO_TCP }), {
    natDst: member.addr,
    dir: LB_DIR_FORWARD,
  });
  const rev = { src: member.addr, dst: SNAT_ADDR, sport: TCP_SERVICE.memberPort, dport: out.sport };
  t.match(fx.flow({ ...rev, proto: IPPROTO_TCP }), {
    dir: LB_DIR_REVERSE,
    l2Dst: client.mac,
    l2Src: MEMBER_NET_MAC,
    ifindex: fx.ifIndex(MEMBER_IFACE),
  });

  // The member's answer comes back on the same NIC and goes out of it to the client.
  const synAck = {
    srcMac: member.mac,
    dstMac: MEMBER_NET_MAC,
    src: member.addr,
    dst: SNAT_ADDR,
    sport: TCP_SERVICE.memberPort,
    dport: out.sport,
    flags: TCP_SYN | TCP_ACK,
    seq: 0x55667788,
    ack: syn.seq + 1,
    payload: Buffer.from('ok'),
  };
  const reply = fx.runOn(MEMBER_IFACE, tcpPacket(synAck));
  t.equal(reply.retval, XDP_TX);
  const expectedReply = tcpPacket({
    ...synAck,
    srcMac: MEMBER_NET_MAC,
    dstMac: client.mac,
    src: VIP,
    dst: client.addr,
    sport: TCP_SERVICE.port,
    dport: syn.sport,
    ttl: 63,
  });
  t.same(reply.data.toString('hex'), expectedReply.toString('hex'), 'reply translated back to VIP -> client');
  t.ok(ipChecksumValid(reply.data) && l4ChecksumValid(reply.data), 'reply checksums');
  t.equal(fx.exitPackets('TX'), 2);
});
