// The VIP entries the compiler writes: flags from the pool's algorithm and persistence,
// Octavia's timeouts and connection limit, allowed_cidrs, ICMP echo entries, IPv6.
import t from 'tap';
import {
  LB_MAX_VIPS,
  LB_VIP_F_ALLOWED_CIDRS as CIDRS,
  LB_VIP_F_ENABLED as ENABLED,
  LB_VIP_F_HASH_SRC_IP as HASH_SRC_IP,
  LB_VIP_F_LEAST_CONN as LEAST_CONN,
  LB_VIP_F_ROUND_ROBIN as ROUND_ROBIN,
} from '../../src/dataplane/codecs.js';
import { compile } from '../../src/dataplane/compiler.js';
import { emptyAllocations } from '../../src/dataplane/state.js';
import { VIP4, VIP6, amphora, compileFresh, listener, member, pool } from './compiler-fixture.js';

const members = [member('a', '10.201.2.11'), member('b', '10.201.3.12')];
const vipOf = (c: ReturnType<typeof compileFresh>, key = `TCP ${VIP4} 80`) => c.desired.vips.get(key);

t.test(
  'flags follow lb_algorithm; SOURCE_IP persistence hashes the source whatever the algorithm',
  async (t) => {
    const cases: [string, Record<string, unknown>, number][] = [
      ['ROUND_ROBIN', {}, ROUND_ROBIN],
      ['LEAST_CONNECTIONS', {}, LEAST_CONN],
      ['SOURCE_IP', {}, HASH_SRC_IP],
      ['SOURCE_IP_PORT', {}, 0],
      ['ROUND_ROBIN', { session_persistence: { type: 'SOURCE_IP' } }, HASH_SRC_IP],
      ['LEAST_CONNECTIONS', { session_persistence: { type: 'SOURCE_IP' } }, HASH_SRC_IP],
    ];
    for (const [algorithm, extra, flag] of cases) {
      const c = compileFresh(
        [listener('l1', 'p1')],
        [pool('p1', members, { lb_algorithm: algorithm, ...extra })],
      );
      t.equal(vipOf(c)?.flags, ENABLED | flag, `${algorithm} ${JSON.stringify(extra)}`);
    }
  },
);

t.test("timeouts: Octavia's defaults for 0, the longer data timeout for idle flows", async (t) => {
  const cases: [Record<string, number>, number, number][] = [
    [{}, 50000, 5000],
    [{ timeout_client_data: 30000, timeout_member_data: 70000 }, 70000, 5000],
    [{ timeout_client_data: 90000, timeout_member_data: 10000 }, 90000, 5000],
    [{ timeout_member_data: 10000 }, 50000, 5000], // client data unset: its default 50 s counts
    [{ timeout_client_data: 1000, timeout_member_data: 2000, timeout_member_connect: 700 }, 2000, 700],
  ];
  for (const [timeouts, idle, syn] of cases) {
    const c = compileFresh([listener('l1', 'p1', timeouts)], [pool('p1', members)]);
    const v = vipOf(c);
    t.same([v?.idleTimeoutMs, v?.synTimeoutMs], [idle, syn], JSON.stringify(timeouts));
  }
});

t.test('connection_limit: -1 and 0 are unlimited (0 in the map), a positive limit is kept', async (t) => {
  for (const [limit, inMap] of [
    [-1, 0],
    [0, 0],
    [250, 250],
  ]) {
    const c = compileFresh([listener('l1', 'p1', { connection_limit: limit })], [pool('p1', members)]);
    t.equal(vipOf(c)?.connLimit, inMap, `connection_limit ${limit}`);
    t.equal(c.listeners[0]?.connLimit, inMap);
  }
});

t.test('allowed_cidrs: the flag, one entry per prefix of the VIP family, host bits cleared', async (t) => {
  const c = compileFresh(
    [
      listener('l1', 'p1', {
        allowed_cidrs: ['192.0.2.77/24', '192.0.2.0/24', '198.51.100.7/32', 'fd00:9::/48', '0.0.0.0/0'],
      }),
    ],
    [pool('p1', members)],
  );
  const v = vipOf(c);
  t.equal(v?.flags, ENABLED | CIDRS);
  t.same(
    [...c.desired.cidrs.values()].map((e) => [e.vipId, `${e.address}/${e.prefix}`]),
    [
      [v?.vipId, '192.0.2.0/24'],
      [v?.vipId, '198.51.100.7/32'],
      [v?.vipId, '0.0.0.0/0'],
    ],
  );
  t.same(
    c.problems.map((p) => [p.id, p.effect]),
    [['l1', 'ignored']],
    'the IPv6 prefix on an IPv4 VIP is reported',
  );
  const none = compileFresh([listener('l1', 'p1')], [pool('p1', members)]);
  t.equal(vipOf(none)?.flags, ENABLED, 'no allowed_cidrs: no flag, any source');
  t.equal(none.desired.cidrs.size, 0);

  const onlyOther = compileFresh(
    [listener('l1', 'p1', { allowed_cidrs: ['fd00::/8'] })],
    [pool('p1', members)],
  );
  t.equal(vipOf(onlyOther)?.flags, ENABLED | CIDRS, 'only other-family prefixes: nobody is admitted');
  t.equal(onlyOther.desired.cidrs.size, 0);
});

t.test('ICMP echo: one entry per VIP address, with no counters of its own', async (t) => {
  const c = compileFresh(
    [
      listener('l1', 'p1'),
      listener('l2', 'p2', { protocol: 'UDP', protocol_port: 53 }),
      listener('l3', 'p3', { vip_address: VIP6, protocol_port: 443 }),
    ],
    [
      pool('p1', members),
      pool('p2', [member('u', '10.201.2.20')], { protocol: 'UDP' }),
      pool('p3', [member('six', 'fd00:201:2::11')]),
    ],
  );
  const icmp = [...c.desired.vips.values()].filter((v) => v.protocol === 'ICMP');
  t.same(
    icmp.map((v) => [v.address, v.port, v.flags, v.vipId]),
    [
      [VIP4, 0, ENABLED, LB_MAX_VIPS],
      [VIP6, 0, ENABLED, LB_MAX_VIPS],
    ],
  );
  t.same([...c.allocations.vipIds.values()].sort(), [0, 1, 2], 'listeners get vip ids 0..2; ICMP takes none');
  // Adopting maps with ICMP entries: their ring 0 and vip id do not block anything.
  const again = compile(
    amphora([listener('l1', 'p1')], [pool('p1', members)]),
    emptyAllocations(),
    c.desired,
  );
  t.notOk(again.problems.length, 'nothing refused');
});

t.test('IPv6: VIP, members and SNAT of the same family, addresses in canonical form', async (t) => {
  const c = compileFresh(
    [listener('l1', 'p1', { vip_address: 'fd00:201:1:0:0::100', allowed_cidrs: ['fd00:0abc::1/32'] })],
    [pool('p1', [member('a', 'fd00:201:2:0::11'), member('b', 'fd00:201:2::12', { weight: 3 })])],
  );
  t.same(c.problems, []);
  const v = c.desired.vips.get(`TCP ${VIP6} 80`);
  t.ok(v, 'VIP keyed by its canonical text');
  t.same(
    [...c.desired.backends.values()].map((b) => [b.address, b.snat, b.weight]),
    [
      ['fd00:201:2::11', 'fd00:201:2::2', 1],
      ['fd00:201:2::12', 'fd00:201:2::2', 3],
    ],
  );
  t.same(
    [...c.desired.cidrs.values()].map((e) => `${e.address}/${e.prefix}`),
    ['fd00:abc::/32'],
  );
  t.ok(c.desired.vips.has(`ICMP ${VIP6} 0`));
  t.same(
    c.members.map((m) => m.ifname),
    ['mem0', 'mem0'],
  );
});

t.test('backends carry the member weight; 0 while draining, flags off when disabled', async (t) => {
  const c = compileFresh(
    [listener('l1', 'p1')],
    [
      pool('p1', [
        member('a', '10.201.2.11', { weight: 7 }),
        member('d', '10.201.2.12', { weight: 0 }),
        member('off', '10.201.2.13', { admin_state_up: false, weight: 2 }),
      ]),
    ],
  );
  t.same(
    [...c.desired.backends.values()].map((b) => [b.address, b.weight, b.flags]),
    [
      ['10.201.2.11', 7, 1],
      ['10.201.2.12', 0, 1],
      ['10.201.2.13', 2, 0],
    ],
  );
});
