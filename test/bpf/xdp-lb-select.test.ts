// Member selection by lb_algorithm, through BPF_PROG_TEST_RUN: SOURCE_IP_PORT hashes the
// 5-tuple, SOURCE_IP the source address, ROUND_ROBIN walks the weighted ring per CPU, and
// LEAST_CONNECTIONS takes the lighter of two ring picks by connections per weight.
import t from 'tap';
import {
  IPPROTO_UDP,
  LB_RING_SIZE,
  LB_VIP_F_ENABLED,
  LB_VIP_F_HASH_SRC_IP,
  LB_VIP_F_LEAST_CONN,
  LB_VIP_F_ROUND_ROBIN,
} from '../../src/dataplane/codecs.js';
import { maglevTable } from '../../src/dataplane/maglev.js';
import { parsePacket, udpPacket } from '../lib/packets.js';
import { CLIENT, CLIENT_NET_MAC, LbFixture, MEMBERS, MEMBER_IFACE, XDP_REDIRECT } from './lb-fixture.js';
import { installServices, installVip, memberIndex, type ExtraVip } from './service.js';

const fx = new LbFixture(t);
installServices(fx);
fx.allowTxPort(MEMBER_IFACE);

let nextVip = 20;
/** A UDP VIP of its own (address, vip id, ring, backends); returns its address and backend ids. */
function vip(
  flags: number,
  extra: Partial<ExtraVip> = {},
): { addr: string; vipId: number; backends: number[] } {
  const vipId = nextVip++;
  const addr = `10.200.1.${vipId + 100}`;
  const backends = installVip(fx, {
    addr,
    port: 53,
    proto: IPPROTO_UDP,
    vipId,
    ringId: vipId - 10,
    flags: LB_VIP_F_ENABLED | flags,
    firstBackend: vipId * 10,
    ...extra,
  });
  return { addr, vipId, backends };
}

function datagram(dst: string, src: string, sport: number): Buffer {
  return udpPacket({ srcMac: CLIENT.mac, dstMac: CLIENT_NET_MAC, src, dst, sport, dport: 53 });
}

/** The member index each packet went to (all must be forwarded). */
function members(results: { retval: number; data: Buffer }[]): number[] {
  return results.map((r) => {
    if (r.retval !== XDP_REDIRECT) throw new Error(`verdict ${r.retval}`);
    return memberIndex(parsePacket(r.data).dst);
  });
}

function counts(picks: number[]): number[] {
  return MEMBERS.map((_, i) => picks.filter((p) => p === i).length);
}

t.test('SOURCE_IP_PORT (no flag): one source spreads over the members by port', async (t) => {
  const v = vip(0);
  const picks = members(
    fx.run(...Array.from({ length: 60 }, (_, i) => datagram(v.addr, CLIENT.addr, 30000 + i))),
  );
  t.ok(
    counts(picks).every((n) => n >= 8),
    `every member gets flows: ${counts(picks)}`,
  );
});

t.test('SOURCE_IP: a source keeps its member whatever its port; sources spread', async (t) => {
  const v = vip(LB_VIP_F_HASH_SRC_IP);
  for (const src of ['10.200.1.10', '10.200.1.11', '10.200.1.12']) {
    const picks = members(fx.run(...Array.from({ length: 20 }, (_, i) => datagram(v.addr, src, 31000 + i))));
    t.equal(new Set(picks).size, 1, `${src}: one member for 20 ports`);
  }
  const sources = Array.from({ length: 60 }, (_, i) => `10.200.${3 + (i % 4)}.${10 + i}`);
  const picks = members(fx.run(...sources.map((src) => datagram(v.addr, src, 32000))));
  t.ok(
    counts(picks).every((n) => n >= 8),
    `60 sources spread: ${counts(picks)}`,
  );
});

t.test('ROUND_ROBIN', async (t) => {
  // All runs on CPU 0: round robin is per CPU, and CPU 0 starts at its counter's value.
  t.test('walks the ring slot by slot from the per-CPU position', async (t) => {
    const v = vip(LB_VIP_F_ROUND_ROBIN);
    const ring = maglevTable(
      MEMBERS.map((m, i) => ({ id: v.backends[i]!, weight: 1, key: `${v.vipId}-${m.addr}` })),
    );
    const start = fx.roundRobin(v.vipId)[0]!;
    const picks = members(
      fx.runOnCpu(
        0,
        Array.from({ length: 40 }, (_, i) => datagram(v.addr, CLIENT.addr, 33000 + i)),
      ),
    );
    const expected = Array.from({ length: 40 }, (_, i) =>
      v.backends.indexOf(ring[(start + i) % LB_RING_SIZE]! - 1),
    );
    t.same(picks, expected, 'members in ring order');
    t.equal(fx.roundRobin(v.vipId)[0], start + 40, 'position advanced by one per flow');
  });

  for (const weights of [
    [1, 1, 1],
    [1, 2, 3],
  ]) {
    t.test(`a whole ring of new flows splits exactly by weight ${weights}`, async (t) => {
      const v = vip(LB_VIP_F_ROUND_ROBIN, { weights });
      const ring = maglevTable(
        MEMBERS.map((m, i) => ({ id: v.backends[i]!, weight: weights[i]!, key: `${v.vipId}-${m.addr}` })),
      );
      const slots = counts([...ring].map((entry) => v.backends.indexOf(entry - 1)));
      const packets = Array.from({ length: LB_RING_SIZE }, (_, i) =>
        datagram(v.addr, `10.200.${8 + (i >> 12)}.${(i >> 4) & 0xff}`, 20000 + (i & 0xfff)),
      );
      const picks = counts(members(fx.runOnCpu(0, packets)));
      t.same(picks, slots, `flows per member = ring slots per member: ${picks}`);
      const total = weights.reduce((a, b) => a + b, 0);
      weights.forEach((w, i) =>
        t.ok(
          Math.abs(picks[i]! - (LB_RING_SIZE * w) / total) <= 1,
          `member ${i}: ${picks[i]} within 1 of its share`,
        ),
      );
    });
  }
});

t.test('LEAST_CONNECTIONS', async (t) => {
  t.test('new flows avoid a member the sweep found busy', async (t) => {
    const plain = vip(0);
    const least = vip(LB_VIP_F_LEAST_CONN);
    const busy = 0;
    fx.setBackendActive(least.backends[busy]!, {
      openedAtSweep: fx.backendOpened(least.backends[busy]!),
      active: 1000n,
    });
    const flows = (addr: string): Buffer[] =>
      Array.from({ length: 180 }, (_, i) => datagram(addr, CLIENT.addr, 34000 + i));
    // By hash a member gets 1/3 of the flows; of two picks, both are the busy one 1/9 of the time.
    const hashed = counts(members(fx.run(...flows(plain.addr))));
    const picked = counts(members(fx.run(...flows(least.addr))));
    t.ok(hashed[busy]! >= 40, `by hash alone the member gets its share: ${hashed}`);
    t.ok(picked[busy]! <= 36, `least connections mostly avoids it: ${picked}`);
    t.ok(picked[1]! >= 60 && picked[2]! >= 60, 'the others share the rest');
  });

  t.test('flows opened since the sweep count, per weight', async (t) => {
    // Equal ring shares but weights 4:1:1 for least connections: with no sweep yet, the
    // opened counters alone steer new flows towards the heavier member.
    const v = vip(LB_VIP_F_LEAST_CONN, { weights: [4, 1, 1], ringWeights: [1, 1, 1] });
    const picks = counts(
      members(fx.run(...Array.from({ length: 120 }, (_, i) => datagram(v.addr, CLIENT.addr, 35000 + i)))),
    );
    // It is one of the two picks 5/9 of the time, so 5/9 of the flows is its most.
    t.ok(picks[0]! >= 1.5 * Math.max(picks[1]!, picks[2]!), `the weight-4 member takes the most: ${picks}`);
    t.same(
      v.backends.map((id) => Number(fx.backendOpened(id))),
      picks,
      'lb_backend_opened counts each new flow',
    );
  });
});
