import t from 'tap';
import { IPPROTO_UDP, LB_DIR_REVERSE } from '../../src/dataplane/codecs.js';
import { ipChecksumValid, l4ChecksumValid, parsePacket, udpPacket } from '../lib/packets.js';
import {
  CLIENT,
  CLIENT_IFACE,
  CLIENT_NET_MAC,
  LbFixture,
  MEMBERS,
  MEMBER_IFACE,
  MEMBER_NET_MAC,
  SNAT_ADDR,
  XDP_REDIRECT,
} from './lb-fixture.js';
import { backendId, installServices, memberIndex, UDP_SERVICE, VIP } from './service.js';

const fx = new LbFixture(t);
installServices(fx);
fx.allowTxPort(MEMBER_IFACE);
const clientIfindex = fx.allowTxPort(CLIENT_IFACE);

const query = {
  srcMac: CLIENT.mac,
  dstMac: CLIENT_NET_MAC,
  src: CLIENT.addr,
  dst: VIP,
  sport: 33000,
  dport: UDP_SERVICE.port,
  payload: Buffer.from('a dns query, say'),
};

for (const noChecksum of [false, true]) {
  t.test(
    `a UDP datagram ${noChecksum ? 'without checksum (0 stays 0)' : 'with checksum'} goes there and back`,
    async (t) => {
      const sport = noChecksum ? 33001 : 33000;
      const { retval, data } = fx.runOn(CLIENT_IFACE, udpPacket({ ...query, sport, noChecksum }));
      t.equal(retval, XDP_REDIRECT);
      const out = parsePacket(data);
      const member = MEMBERS[memberIndex(out.dst)]!;
      const expected = udpPacket({
        ...query,
        noChecksum,
        srcMac: MEMBER_NET_MAC,
        dstMac: member.mac,
        src: SNAT_ADDR,
        dst: member.addr,
        sport: out.sport,
        dport: UDP_SERVICE.memberPort,
        ttl: 63,
      });
      t.same(data.toString('hex'), expected.toString('hex'), 'forward bytes');
      t.ok(ipChecksumValid(data));
      if (noChecksum) t.equal(out.l4Checksum, 0, 'no checksum stays no checksum');
      else t.ok(l4ChecksumValid(data), 'UDP checksum');

      const rev = fx.flow({
        src: member.addr,
        dst: SNAT_ADDR,
        sport: UDP_SERVICE.memberPort,
        dport: out.sport,
        proto: IPPROTO_UDP,
      });
      t.match(rev, {
        natSrc: VIP,
        natDst: CLIENT.addr,
        natSport: UDP_SERVICE.port,
        natDport: sport,
        dir: LB_DIR_REVERSE,
        l2Dst: CLIENT.mac,
        l2Src: CLIENT_NET_MAC,
        ifindex: clientIfindex,
      });
      t.equal(rev?.backendId, backendId(UDP_SERVICE, memberIndex(member.addr)));

      const answer = {
        srcMac: member.mac,
        dstMac: MEMBER_NET_MAC,
        src: member.addr,
        dst: SNAT_ADDR,
        sport: UDP_SERVICE.memberPort,
        dport: out.sport,
        noChecksum,
        payload: Buffer.from('the answer'),
      };
      const reply = fx.runOn(MEMBER_IFACE, udpPacket(answer));
      t.equal(reply.retval, XDP_REDIRECT);
      const expectedReply = udpPacket({
        ...answer,
        srcMac: CLIENT_NET_MAC,
        dstMac: CLIENT.mac,
        src: VIP,
        dst: CLIENT.addr,
        sport: UDP_SERVICE.port,
        dport: sport,
        ttl: 63,
      });
      t.same(reply.data.toString('hex'), expectedReply.toString('hex'), 'reply bytes');
      t.ok(ipChecksumValid(reply.data));
      if (!noChecksum) t.ok(l4ChecksumValid(reply.data));
    },
  );
}

t.test('further datagrams of the flow reuse its member and SNAT port', async (t) => {
  const first = parsePacket(fx.runOne(udpPacket({ ...query, sport: 33100 })).data);
  const again = fx.run(...Array.from({ length: 5 }, () => udpPacket({ ...query, sport: 33100 })));
  for (const r of again) t.match(parsePacket(r.data), { dst: first.dst, sport: first.sport });
});
