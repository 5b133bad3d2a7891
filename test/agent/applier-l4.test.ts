// The applier and readMapState against real maps for what issue 3 added: allowed_cidrs
// (an LPM trie the kernel matches), ICMP entries, IPv6 services and backends, weights,
// limits and timeouts; adoption reads all of it back; ids new to the maps start from
// zeroed counters.
import t from 'tap';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Applier } from '../../src/dataplane/applier.js';
import {
  ExitReason,
  LB_EXIT_MAX,
  U64_SIZE,
  encodeCidrKey,
  encodeU32,
  encodeU64,
} from '../../src/dataplane/codecs.js';
import { compile } from '../../src/dataplane/compiler.js';
import { removePins } from '../../src/dataplane/dataplane.js';
import { readMapState } from '../../src/dataplane/map-state.js';
import { lbMaps } from '../../src/dataplane/maps.js';
import { native } from '../../src/native/native.js';
import { requireNetnsPrivileges } from '../lib/netns.js';
import { amphora, listener, member, pool, VIP4, VIP6 } from './compiler-fixture.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function dualStack(cidrs4: string[], cidrs6: string[], weightB = 2) {
  return amphora(
    [
      listener('l4', 'p4', { allowed_cidrs: cidrs4, connection_limit: 100, timeout_member_connect: 1500 }),
      listener('l6', 'p6', {
        vip_address: VIP6,
        protocol: 'UDP',
        protocol_port: 53,
        allowed_cidrs: cidrs6,
        timeout_client_data: 20000,
      }),
    ],
    [
      pool('p4', [member('a', '10.201.2.11'), member('b', '10.201.2.12', { weight: weightB })], {
        lb_algorithm: 'LEAST_CONNECTIONS',
      }),
      pool('p6', [member('six', 'fd00:201:2::11', { weight: 5 })], {
        protocol: 'UDP',
        lb_algorithm: 'SOURCE_IP',
      }),
    ],
  );
}

t.test('allowed_cidrs, ICMP, IPv6, weights and limits round-trip through pinned maps', async (t) => {
  requireNetnsPrivileges();
  const obj = join(root, 'bpf/xdp_lb.bpf.o');
  if (!existsSync(obj)) throw new Error('bpf/xdp_lb.bpf.o is missing: make bpf');
  const nat = native();
  const pinRoot = `/sys/fs/bpf/vxa3-applier-${process.pid}`;
  const handle = nat.loadObject(obj, { pinRoot: join(pinRoot, 'maps') });
  t.teardown(() => {
    nat.closeObject(handle);
    removePins(pinRoot);
  });
  const maps = lbMaps(nat.objectMaps(handle));
  const applier = new Applier(nat, maps);

  // fd00::/16 on the IPv6 VIP: its bytes could be read as an IPv4 prefix; the VIP's family decides.
  const c1 = compile(
    dualStack(['192.0.2.0/24', '198.51.100.9/32'], ['fd00::/16', '2001:db8::/32']),
    applier.allocations,
    applier.current,
  );
  t.same(c1.problems, []);
  applier.apply(c1);
  t.same(readMapState(nat, maps), c1.desired, 'every field reads back as written');

  const v4 = c1.desired.vips.get(`TCP ${VIP4} 80`)!;
  const v6 = c1.desired.vips.get(`UDP ${VIP6} 53`)!;
  const allowed = (vipId: number, addr: string): boolean =>
    nat.mapLookup(
      maps.allowedCidrs,
      encodeCidrKey({ vipId, addr, prefixLength: addr.includes(':') ? 128 : 32 }),
    ) !== null;
  t.ok(allowed(v4.vipId, '192.0.2.77'), 'a source inside a prefix matches in the kernel trie');
  t.ok(allowed(v4.vipId, '198.51.100.9'));
  t.notOk(allowed(v4.vipId, '198.51.100.10'), 'outside every prefix: no match');
  t.notOk(allowed(v6.vipId, '192.0.2.77'), "another VIP's prefixes do not apply");
  t.ok(allowed(v6.vipId, 'fd00:1234::1'));

  // Counters of the IPv4 listener, to see which survive.
  nat.mapUpdate(maps.vipOpened, encodeU32(v4.vipId), encodeU64(9n));
  const drops = Buffer.alloc(nat.possibleCpus() * U64_SIZE);
  drops.writeBigUInt64LE(3n, 0);
  const dropKey = encodeU32(v4.vipId * LB_EXIT_MAX + ExitReason.DROP_CIDR);
  nat.mapUpdate(maps.vipDrops, dropKey, drops);

  // Change prefixes and a weight: only those entries are written; counters stay.
  const c2 = compile(
    dualStack(['192.0.2.0/24'], ['fd00::/16', '2001:db8:1::/48'], 0),
    applier.allocations,
    applier.current,
  );
  const plan = applier.apply(c2);
  t.same(
    plan.cidrsInsert.map((c) => `${c.address}/${c.prefix}`),
    ['2001:db8:1::/48'],
  );
  t.same(plan.cidrsDelete.map((c) => `${c.address}/${c.prefix}`).sort(), [
    '198.51.100.9/32',
    '2001:db8::/32',
  ]);
  t.same(
    plan.backendsUpsert.map(([, b]) => [b.address, b.weight]),
    [['10.201.2.12', 0]],
    'draining b rewrites its backend only',
  );
  t.same(readMapState(nat, maps), c2.desired);
  t.notOk(allowed(v4.vipId, '198.51.100.9'), 'the removed prefix no longer matches');
  t.equal(nat.mapLookup(maps.vipOpened, encodeU32(v4.vipId))?.readBigUInt64LE(0), 9n, 'counters kept');

  // A restarted agent adopts everything: the same config writes nothing.
  const adopted = new Applier(nat, maps);
  const c3 = compile(
    dualStack(['192.0.2.0/24'], ['fd00::/16', '2001:db8:1::/48'], 0),
    adopted.allocations,
    adopted.current,
  );
  t.same(c3.allocations, c2.allocations, 'same ids after adoption');
  const noop = adopted.apply(c3);
  t.same(
    Object.values(noop).map((x: unknown[]) => x.length),
    [0, 0, 0, 0, 0, 0, 0],
    'adopting the same config writes nothing',
  );

  // The IPv4 listener goes, then a new one takes its vip id: counters start from zero.
  const only6 = (extra: Record<string, unknown>[]) =>
    amphora(
      [
        listener('l6', 'p6', { vip_address: VIP6, protocol: 'UDP', protocol_port: 53 }),
        ...extra.map((l) => listener(String(l.id), 'p4', { protocol_port: 8443 })),
      ],
      [
        pool('p4', [member('a', '10.201.2.11')]),
        pool('p6', [member('six', 'fd00:201:2::11')], { protocol: 'UDP' }),
      ],
    );
  adopted.apply(compile(only6([]), adopted.allocations, adopted.current));
  t.notOk(allowed(v4.vipId, '192.0.2.77'), "a removed listener's prefixes are removed");
  const c5 = compile(only6([{ id: 'l-new' }]), adopted.allocations, adopted.current);
  t.equal(c5.allocations.vipIds.get('l-new'), v4.vipId, 'the freed vip id is reused');
  adopted.apply(c5);
  t.equal(
    nat.mapLookup(maps.vipOpened, encodeU32(v4.vipId))?.readBigUInt64LE(0),
    0n,
    'opened counter zeroed',
  );
  t.same(
    [...(nat.mapLookup(maps.vipDrops, dropKey) ?? [])].some((b) => b !== 0),
    false,
    'drop counters zeroed',
  );
  t.same(readMapState(nat, maps), c5.desired);
});
