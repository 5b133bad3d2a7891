import t from 'tap';
import { native } from '../../src/native/native.js';
import {
  LAYOUT,
  LB_CONSTANTS,
  ExitReason,
  LB_EXIT_MAX,
  decodeBackend,
  decodeFlow,
  decodeFlowKey,
  decodeSettings,
  decodeStats,
  decodeVipKey,
  decodeVipMeta,
  encodeBackend,
  encodeFlow,
  encodeFlowKey,
  encodeSettings,
  encodeVipKey,
  encodeVipMeta,
  ipv4ToBytes,
  bytesToIpv4,
  bytesToMac,
  macToBytes,
  sumPerCpu,
  STATS_SIZE,
  IPPROTO_TCP,
  LB_DIR_REVERSE,
  LB_FAMILY_IPV6,
  ipv6ToBytes,
  bytesToIpv6,
  addrToBytes,
  encodeActive,
  decodeActive,
  encodeU64,
  decodeU64,
  encodeCidrKey,
} from '../../src/dataplane/codecs.js';

t.test('every struct has the size and field offsets the C compiler gives it', async (t) => {
  const c = native().layout();
  t.same(Object.keys(c).sort(), Object.keys(LAYOUT).sort(), 'same structs');
  for (const [name, ts] of Object.entries(LAYOUT)) {
    const native = c[name];
    if (!native) continue;
    t.equal(ts.size, native.size, `${name} size`);
    t.same(ts.offsets, native.offsets, `${name} offsets`);
  }
});

t.test('every lb.h constant and map name matches', async (t) => {
  const c = native().constants();
  t.same(
    Object.keys(c).sort(),
    Object.keys(LB_CONSTANTS).sort(),
    'the addon reports exactly the constants mirrored in codecs.ts',
  );
  for (const [name, value] of Object.entries(LB_CONSTANTS)) t.equal(c[name], value, name);
  t.equal(Object.keys(ExitReason).length, LB_EXIT_MAX, 'exit reasons are dense 0..LB_EXIT_MAX-1');
});

t.test('codecs round-trip and put bytes where the header says', async (t) => {
  const vk = encodeVipKey({ addr: '10.200.1.100', port: 80, proto: IPPROTO_TCP });
  t.same([...vk], [10, 200, 1, 100, ...Array(12).fill(0), 0, 80, 6, 4]);
  t.same(decodeVipKey(vk), { addr: '10.200.1.100', port: 80, proto: IPPROTO_TCP });

  const meta = { flags: 1, ringId: 3, vipId: 7, connLimit: 100, idleTimeoutMs: 50000, synTimeoutMs: 5000 };
  t.same(decodeVipMeta(encodeVipMeta(meta)), meta);

  const be = { addr: '10.200.2.10', snat: '10.200.2.1', port: 8080, flags: 1, weight: 3 };
  const beBuf = encodeBackend(be);
  t.equal(beBuf.readUInt16BE(32), 8080, 'port in network order');
  t.same(decodeBackend(beBuf), be);
  t.equal(decodeBackend(Buffer.alloc(40)), null, 'family 0 is an unused slot');

  const fk = { src: '10.200.1.10', dst: '10.200.1.100', sport: 40000, dport: 80, proto: IPPROTO_TCP };
  t.same(decodeFlowKey(encodeFlowKey(fk)), fk);

  const flow = {
    natSrc: '10.200.2.1',
    natDst: '10.200.2.10',
    natSport: 10001,
    natDport: 8080,
    backendId: 2,
    vipId: 7,
    dir: LB_DIR_REVERSE,
    state: 0,
    l2Dst: '02:00:0a:c8:01:0a',
    l2Src: 'fe:00:0a:c8:01:01',
    ifindex: 7,
    lastSeenNs: 123456789012345n,
  };
  const flowBuf = encodeFlow(flow);
  t.same([...flowBuf.subarray(48, 60)], [2, 0, 10, 200, 1, 10, 254, 0, 10, 200, 1, 1], 'MACs as on the wire');
  t.equal(flowBuf.readUInt32LE(60), 7, 'ifindex in host order');
  t.same(decodeFlow(flowBuf), flow);
  t.equal(bytesToMac(macToBytes('0A:0b:0c:0d:0e:0F')), '0a:0b:0c:0d:0e:0f');
  t.throws(() => macToBytes('02:00:0a:c8:01'), RangeError);
  t.throws(() => macToBytes('02:00:0a:c8:01:zz'), RangeError);

  const settings = { snatPortMin: 10000, snatPortMax: 59999, flags: 0, closingTimeoutMs: 10000 };
  const sBuf = encodeSettings(settings);
  t.equal(sBuf.readUInt16LE(0), 10000, 'SNAT range in host order');
  t.same(decodeSettings(sBuf), settings);

  t.equal(bytesToIpv4(ipv4ToBytes('192.0.2.255')), '192.0.2.255');
  t.throws(() => ipv4ToBytes('10.0.0.256'), RangeError);
  t.throws(() => ipv4ToBytes('10.0.0'), RangeError);
  t.throws(() => encodeVipKey({ addr: '10.0.0.1', port: 70000, proto: 6 }), RangeError);
});

t.test('IPv6 addresses fill all four words and round-trip in RFC 5952 form', async (t) => {
  t.same([...ipv6ToBytes('fd00::1')], [0xfd, 0, ...Array(13).fill(0), 1]);
  t.equal(bytesToIpv6(ipv6ToBytes('FD00:0:0:0:0:0:0:1')), 'fd00::1');
  t.equal(bytesToIpv6(ipv6ToBytes('2001:db8:0:0:1:0:0:1')), '2001:db8::1:0:0:1', 'longest zero run');
  t.equal(bytesToIpv6(ipv6ToBytes('::ffff:10.0.0.1')), '::ffff:a00:1', 'dotted tail');
  t.equal(bytesToIpv6(ipv6ToBytes('::')), '::');
  t.throws(() => ipv6ToBytes('fd00::1::2'), RangeError);
  t.throws(() => addrToBytes('not-an-address'), RangeError);

  const vk = encodeVipKey({ addr: 'fd00:206::100', port: 443, proto: IPPROTO_TCP });
  t.equal(vk.readUInt8(19), LB_FAMILY_IPV6, 'family from the address');
  t.same(decodeVipKey(vk), { addr: 'fd00:206::100', port: 443, proto: IPPROTO_TCP });
  const be = { addr: 'fd00:206:2::10', snat: 'fd00:206:2::1', port: 8080, flags: 1, weight: 1 };
  t.same(decodeBackend(encodeBackend(be)), be);
  t.throws(
    () => encodeBackend({ ...be, snat: '10.0.0.1' }),
    RangeError,
    'SNAT of the other family is refused',
  );
  const fk = { src: 'fd00::a', dst: 'fd00::64', sport: 1, dport: 2, proto: IPPROTO_TCP };
  t.same(decodeFlowKey(encodeFlowKey(fk)), fk);
});

t.test('lb_active, u64 and lb_cidr_key codecs', async (t) => {
  const a = { openedAtSweep: 12n, active: 3n };
  t.same(decodeActive(encodeActive(a)), a);
  t.equal(decodeU64(encodeU64(2n ** 40n)), 2n ** 40n);
  const k = encodeCidrKey({ vipId: 5, addr: '10.1.0.0', prefixLength: 16 });
  t.equal(k.readUInt32LE(0), 48, 'prefixlen counts the vip id bits');
  t.equal(k.readUInt32LE(4), 5);
  t.same([...k.subarray(8, 12)], [10, 1, 0, 0]);
  t.equal(encodeCidrKey({ vipId: 5, addr: 'fd00::', prefixLength: 64 }).readUInt32LE(0), 96);
  t.throws(() => encodeCidrKey({ vipId: 5, addr: '10.1.0.0', prefixLength: 33 }), RangeError);
});

t.test('sumPerCpu adds every u64 field across CPUs', async (t) => {
  const cpus = 3;
  const buf = Buffer.alloc(STATS_SIZE * cpus);
  for (let cpu = 0; cpu < cpus; cpu++) {
    for (let f = 0; f < STATS_SIZE / 8; f++)
      buf.writeBigUInt64LE(BigInt((cpu + 1) * (f + 1)), cpu * STATS_SIZE + f * 8);
  }
  t.same(decodeStats(sumPerCpu(buf, cpus, STATS_SIZE)), {
    rxPackets: 6,
    rxBytes: 12,
    txPackets: 18,
    txBytes: 24,
    newFlows: 30,
    drops: 36,
  });
  t.throws(() => sumPerCpu(buf, 4, STATS_SIZE), RangeError);
});
