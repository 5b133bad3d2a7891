// ICMP echo to a VIP address is answered in XDP (both families); ICMP the balancer does
// not own (echo to other addresses, neighbour discovery) passes to the kernel untouched.
// Errors about NAT'ed flows: xdp-lb-icmp-errors.test.ts.
import t from 'tap';
import {
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  LB_VIP_F_ENABLED,
  type ExitReasonName,
} from '../../src/dataplane/codecs.js';
import { icmpEcho, icmpPacket } from '../lib/icmp-packets.js';
import { parseFrame } from '../lib/frames.js';
import {
  CLIENT,
  CLIENT_IFACE,
  CLIENT_NET_MAC,
  LbFixture,
  MEMBER_IFACE,
  XDP_PASS,
  XDP_TX,
} from './lb-fixture.js';
import { installServices, VIP, vipMeta } from './service.js';
import { CLIENT6, installIpv6Network, installIpv6Services, VIP6 } from './service6.js';

const fx = new LbFixture(t);
installServices(fx);
installIpv6Network(fx);
installIpv6Services(fx);
fx.allowTxPort(MEMBER_IFACE);
fx.allowTxPort(CLIENT_IFACE);
const ECHO_OFF_VIP = '10.200.1.150';
// What the compiler installs for each VIP address: port 0, protocol ICMP / ICMPv6.
fx.setVip(
  { addr: VIP, port: 0, proto: IPPROTO_ICMP },
  vipMeta({ flags: LB_VIP_F_ENABLED, ringId: 0, vipId: 1 }),
);
fx.setVip(
  { addr: VIP6, port: 0, proto: IPPROTO_ICMPV6 },
  vipMeta({ flags: LB_VIP_F_ENABLED, ringId: 2, vipId: 3 }),
);
fx.setVip({ addr: ECHO_OFF_VIP, port: 0, proto: IPPROTO_ICMP }, vipMeta({ flags: 0, ringId: 0, vipId: 5 }));

const fromClient = { srcMac: CLIENT.mac, dstMac: CLIENT_NET_MAC };
const toClient = { srcMac: CLIENT_NET_MAC, dstMac: CLIENT.mac };

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

t.test('echo to a VIP address is answered in XDP', async (t) => {
  for (const [name, src, dst] of [
    ['IPv4', CLIENT.addr, VIP],
    ['IPv6', CLIENT6.addr, VIP6],
  ] as const) {
    const echo = { ident: 0x4242, seq: 7, body: Buffer.from('ping payload, 24 bytes..') };
    const before = fx.exitPackets('ICMP_ECHO_REPLY');
    const { retval, data } = fx.runOn(CLIENT_IFACE, icmpEcho({ ...fromClient, src, dst, ttl: 57, ...echo }));
    t.equal(retval, XDP_TX, `${name}: back out of the ingress NIC`);
    const expected = icmpEcho({ ...toClient, src: dst, dst: src, ttl: 64, reply: true, ...echo });
    t.same(data.toString('hex'), expected.toString('hex'), `${name}: the reply, bit for bit`);
    const reply = parseFrame(data);
    t.match(reply, {
      ip: { src: dst, dst: src, ttl: 64, checksumValid: true },
      icmp: { checksumValid: true },
    });
    t.equal(fx.exitPackets('ICMP_ECHO_REPLY') - before, 1);
  }
  const options = Buffer.from([0x01, 0x01, 0x01, 0x00]);
  const { data } = fx.runOn(
    CLIENT_IFACE,
    icmpEcho({ ...fromClient, src: CLIENT.addr, dst: VIP, ipOptions: options, ident: 1, seq: 2 }),
  );
  t.same(
    data,
    icmpEcho({ ...toClient, src: VIP, dst: CLIENT.addr, ipOptions: options, ident: 1, seq: 2, reply: true }),
    'after IPv4 options',
  );
});

t.test('ICMP the balancer does not own passes to the kernel', async (t) => {
  const echo = { ...fromClient, ident: 1, seq: 1 };
  expectPass(
    t,
    'echo to the amphora',
    icmpEcho({ ...echo, src: CLIENT.addr, dst: '10.200.1.1' }),
    'PASS_ICMP',
  );
  expectPass(
    t,
    'echo to a VIP with echo off',
    icmpEcho({ ...echo, src: CLIENT.addr, dst: ECHO_OFF_VIP }),
    'PASS_ICMP',
  );
  expectPass(
    t,
    'echo to an IPv6 non-VIP',
    icmpEcho({ ...echo, src: CLIENT6.addr, dst: 'fd00:206:1::1' }),
    'PASS_ICMP',
  );
  expectPass(
    t,
    'echo reply to a VIP',
    icmpEcho({ ...echo, src: CLIENT.addr, dst: VIP, reply: true }),
    'PASS_ICMP',
  );
  // Neighbour discovery (router/neighbour solicitation and advertisement, redirect), in one batch.
  const nd = [133, 134, 135, 136, 137].flatMap((type) =>
    [VIP6, 'ff02::1:ff00:100'].map((dst) =>
      icmpPacket({ ...fromClient, src: 'fe80::1', dst, ttl: 255, type, body: Buffer.alloc(16) }),
    ),
  );
  const before = fx.exitPackets('PASS_ICMP');
  fx.run(...nd).forEach((r, i) => {
    t.equal(r.retval, XDP_PASS, `ND ${i}: passed`);
    t.same(r.data, nd[i], `ND ${i}: unchanged`);
  });
  t.equal(fx.exitPackets('PASS_ICMP') - before, nd.length, 'ND counted as PASS_ICMP');
});
