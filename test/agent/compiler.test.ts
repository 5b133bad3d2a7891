// The compiler: config -> desired maps, statuses, stable ids and double-buffered rings.
import t from 'tap';
import { compile } from '../../src/dataplane/compiler.js';
import { LB_RING_SIZE, LB_VIP_F_ENABLED, ringEntry } from '../../src/dataplane/codecs.js';
import { emptyAllocations, emptyState, type MapState } from '../../src/dataplane/state.js';
import { readAmphoraConfig } from '../../src/config/proto-json.js';

interface MemberIn {
  id: string;
  address: string;
  weight?: number;
  admin_state_up?: boolean;
  backup?: boolean;
}

function config(members: MemberIn[], extra: Record<string, unknown> = {}) {
  return readAmphoraConfig({
    version: 1,
    amphora_id: 'a1',
    interfaces: [
      { name: 'vip0', role: 'VIP', addresses: ['10.0.0.2/24'] },
      { name: 'mem0', role: 'MEMBER', addresses: ['10.1.0.2/24'] },
      { name: 'mem1', role: 'MEMBER', addresses: ['10.2.0.2/16'] },
    ],
    listeners: [
      {
        id: 'l1',
        vip_address: '10.0.0.100',
        protocol: 'TCP',
        protocol_port: 80,
        default_pool_id: 'p1',
        admin_state_up: true,
      },
    ],
    pools: [
      {
        id: 'p1',
        protocol: 'TCP',
        admin_state_up: true,
        members: members.map((m) => ({ protocol_port: 8080, weight: 1, admin_state_up: true, ...m })),
      },
    ],
    ...extra,
  });
}

const three = [
  { id: 'a', address: '10.1.0.11' },
  { id: 'b', address: '10.1.0.12' },
  { id: 'c', address: '10.2.5.13' },
];

function ringMembers(state: MapState, ringId: number): Set<number> {
  return new Set([...(state.rings.get(ringId) ?? [])].filter((e) => e !== 0).map((e) => e - 1));
}

t.test('a TCP listener compiles to a VIP, backends with SNAT per member network, and a ring', async (t) => {
  const c = compile(config(three), emptyAllocations(), emptyState());
  t.same(c.problems, []);
  const vip = c.desired.vips.get('TCP 10.0.0.100 80');
  t.ok(vip, 'VIP entry keyed by protocol, address, port');
  t.equal(vip?.flags, LB_VIP_F_ENABLED);
  t.same(
    [...c.desired.backends.values()].map((b) => [b.address, b.port, b.snat]),
    [
      ['10.1.0.11', 8080, '10.1.0.2'],
      ['10.1.0.12', 8080, '10.1.0.2'],
      ['10.2.5.13', 8080, '10.2.0.2'],
    ],
  );
  t.same(
    c.members.map((m) => [m.id, m.ifname, m.status]),
    [
      ['a', 'mem0', 'NO_MONITOR'],
      ['b', 'mem0', 'NO_MONITOR'],
      ['c', 'mem1', 'NO_MONITOR'],
    ],
  );
  const ring = c.desired.rings.get(vip?.ringId ?? -1);
  t.equal(ring?.length, LB_RING_SIZE);
  t.same(
    ringMembers(c.desired, vip?.ringId ?? -1),
    new Set(c.desired.backends.keys()),
    'every member is in the ring',
  );
  t.same(c.pools, [{ id: 'p1', servedBy: 'xdp', status: 'ONLINE' }]);
  t.same(
    c.listeners.map((l) => l.status),
    ['ONLINE'],
  );
});

t.test('a member on no attached network is reported and left out; the rest is served', async (t) => {
  const c = compile(
    config([...three, { id: 'x', address: '192.168.9.9' }]),
    emptyAllocations(),
    emptyState(),
  );
  t.same(
    c.problems.map((p) => [p.kind, p.id]),
    [['member', 'x']],
  );
  t.equal(c.members.find((m) => m.id === 'x')?.status, 'ERROR');
  t.equal(c.desired.backends.size, 3);
});

t.test(
  'admin down and weight 0 members keep a backend but leave the ring; backups only when needed',
  async (t) => {
    const c = compile(
      config([
        { id: 'a', address: '10.1.0.11' },
        { id: 'down', address: '10.1.0.12', admin_state_up: false },
        { id: 'drain', address: '10.1.0.13', weight: 0 },
        { id: 'spare', address: '10.1.0.14', backup: true },
      ]),
      emptyAllocations(),
      emptyState(),
    );
    const ids = new Map(c.members.map((m) => [m.id, m]));
    t.same(
      [...ids.values()].map((m) => [m.id, m.status]),
      [
        ['a', 'NO_MONITOR'],
        ['down', 'OFFLINE'],
        ['drain', 'DRAINING'],
        ['spare', 'NO_MONITOR'],
      ],
    );
    const ringId = c.desired.vips.get('TCP 10.0.0.100 80')?.ringId ?? -1;
    t.same(ringMembers(c.desired, ringId), new Set([ids.get('a')?.backendId]), 'only the primary that is up');
    t.equal(c.desired.backends.size, 4, 'existing flows to drained members still resolve');

    const onlyBackup = compile(
      config([
        { id: 'a', address: '10.1.0.11', admin_state_up: false },
        { id: 'spare', address: '10.1.0.14', backup: true },
      ]),
      emptyAllocations(),
      emptyState(),
    );
    const r2 = onlyBackup.desired.vips.get('TCP 10.0.0.100 80')?.ringId ?? -1;
    const spare = onlyBackup.members.find((m) => m.id === 'spare')?.backendId;
    t.same(ringMembers(onlyBackup.desired, r2), new Set([spare]), 'the backup serves when no primary is up');
  },
);

t.test('a pool with no member up is ERROR and its ring is empty', async (t) => {
  const c = compile(config([{ id: 'a', address: '10.1.0.11', weight: 0 }]), emptyAllocations(), emptyState());
  t.same(c.pools, [{ id: 'p1', servedBy: 'xdp', status: 'ERROR' }]);
  const ringId = c.desired.vips.get('TCP 10.0.0.100 80')?.ringId ?? -1;
  t.equal(ringMembers(c.desired, ringId).size, 0);
});

t.test('ids are stable across applies and a changed ring goes to the spare slot', async (t) => {
  const first = compile(config(three), emptyAllocations(), emptyState());
  const v1 = first.desired.vips.get('TCP 10.0.0.100 80');
  // Same config against what the first apply wrote: same ids, same ring slot.
  const again = compile(config(three), first.allocations, first.desired);
  t.same(again.desired.vips.get('TCP 10.0.0.100 80'), v1, 'unchanged config, unchanged VIP entry');
  t.same(again.allocations, first.allocations);

  const fewer = compile(config(three.slice(0, 2)), first.allocations, first.desired);
  const v2 = fewer.desired.vips.get('TCP 10.0.0.100 80');
  t.equal(v2?.ringId, (v1?.ringId ?? 0) ^ 1, 'the new table is in the other slot of the pair');
  t.equal(v2?.vipId, v1?.vipId, 'same vip id');
  t.equal(
    fewer.allocations.backendIds.get('a'),
    first.allocations.backendIds.get('a'),
    'same backend id for a',
  );
  t.equal(
    fewer.allocations.backendIds.get('b'),
    first.allocations.backendIds.get('b'),
    'same backend id for b',
  );

  // A new member never takes an id the maps still hold for another one.
  const swapped = compile(
    config([three[0]!, three[1]!, { id: 'd', address: '10.1.0.99' }]),
    first.allocations,
    first.desired,
  );
  const d = swapped.allocations.backendIds.get('d');
  t.notOk([...first.desired.backends.keys()].includes(d ?? -1), `new backend id ${d} is fresh`);
});

t.test('a restarted agent adopts the ids the maps hold', async (t) => {
  const first = compile(config(three), emptyAllocations(), emptyState());
  const adopted = compile(config(three), emptyAllocations(), first.desired);
  t.same(adopted.allocations, first.allocations, 'same vip, backend and ring ids from the pinned state');
  t.same(adopted.desired.vips, first.desired.vips);
});

t.test('listeners: admin down disables the VIP; non-L4 and mismatched listeners are reported', async (t) => {
  const c = compile(
    config(three, {
      listeners: [
        {
          id: 'l1',
          vip_address: '10.0.0.100',
          protocol: 'TCP',
          protocol_port: 80,
          default_pool_id: 'p1',
          admin_state_up: false,
        },
        {
          id: 'http',
          vip_address: '10.0.0.100',
          protocol: 'HTTP',
          protocol_port: 81,
          default_pool_id: 'p1',
          admin_state_up: true,
        },
        {
          id: 'udp',
          vip_address: '10.0.0.100',
          protocol: 'UDP',
          protocol_port: 82,
          default_pool_id: 'p1',
          admin_state_up: true,
        },
        { id: 'nopool', vip_address: '10.0.0.100', protocol: 'TCP', protocol_port: 83, admin_state_up: true },
      ],
    }),
    emptyAllocations(),
    emptyState(),
  );
  t.equal(c.desired.vips.get('TCP 10.0.0.100 80')?.flags, 0, 'admin down: VIP disabled');
  t.equal(c.desired.vips.get('TCP 10.0.0.100 83')?.flags, 0, 'no pool: VIP present but dropping');
  t.notOk(c.desired.vips.has('TCP 10.0.0.100 81'), 'HTTP is not compiled for XDP');
  t.notOk(c.desired.vips.has('UDP 10.0.0.100 82'), 'UDP listener on a TCP pool is not compiled');
  t.same(c.problems.map((p) => p.id).sort(), ['http', 'udp']);
  t.same(
    c.listeners.map((l) => [l.id, l.status]),
    [
      ['l1', 'OFFLINE'],
      ['http', 'ERROR'],
      ['udp', 'ERROR'],
      ['nopool', 'ONLINE'],
    ],
  );
});

t.test('weights shape the ring', async (t) => {
  const c = compile(
    config([
      { id: 'a', address: '10.1.0.11', weight: 3 },
      { id: 'b', address: '10.1.0.12', weight: 1 },
    ]),
    emptyAllocations(),
    emptyState(),
  );
  const ring =
    c.desired.rings.get(c.desired.vips.get('TCP 10.0.0.100 80')?.ringId ?? -1) ?? new Uint32Array();
  const a = ringEntry(c.allocations.backendIds.get('a') ?? -1);
  const share = [...ring].filter((e) => e === a).length / ring.length;
  t.ok(share > 0.7 && share < 0.8, `weight 3 of 4 gets about 3/4 of the slots (${share.toFixed(3)})`);
});

t.test('adoption tells apart members of different pools at the same address', async (t) => {
  const members = (suffix: string) =>
    three.map((m) => ({
      ...m,
      id: `${m.id}-${suffix}`,
      protocol_port: 8080,
      weight: 1,
      admin_state_up: true,
    }));
  const both = readAmphoraConfig({
    version: 1,
    amphora_id: 'a1',
    interfaces: [
      { name: 'mem0', role: 'MEMBER', addresses: ['10.1.0.2/24'] },
      { name: 'mem1', role: 'MEMBER', addresses: ['10.2.0.2/16'] },
    ],
    listeners: [
      {
        id: 'lt',
        vip_address: '10.0.0.100',
        protocol: 'TCP',
        protocol_port: 80,
        default_pool_id: 'pt',
        admin_state_up: true,
      },
      {
        id: 'lu',
        vip_address: '10.0.0.100',
        protocol: 'UDP',
        protocol_port: 80,
        default_pool_id: 'pu',
        admin_state_up: true,
      },
    ],
    pools: [
      { id: 'pt', protocol: 'TCP', admin_state_up: true, members: members('tcp') },
      { id: 'pu', protocol: 'UDP', admin_state_up: true, members: members('udp') },
    ],
  });
  const first = compile(both, emptyAllocations(), emptyState());
  const adopted = compile(both, emptyAllocations(), first.desired);
  t.same(adopted.allocations, first.allocations);
});
