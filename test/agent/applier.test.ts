// The applier against real maps (xdp_lb loaded with its maps pinned in a temp dir; no
// interface is touched): what it writes reads back as the desired state, a changed
// pool flips to the spare ring, removed entries go, and a new Applier adopts it all.
import t from 'tap';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAmphoraConfig } from '../../src/config/proto-json.js';
import { Applier } from '../../src/dataplane/applier.js';
import { STATS_SIZE, encodeU32 } from '../../src/dataplane/codecs.js';
import { compile } from '../../src/dataplane/compiler.js';
import { removePins } from '../../src/dataplane/dataplane.js';
import { readMapState } from '../../src/dataplane/map-state.js';
import { lbMaps } from '../../src/dataplane/maps.js';
import { native } from '../../src/native/native.js';
import { requireNetnsPrivileges } from '../lib/netns.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function config(version: number, members: string[], listeners = ['l1']) {
  return readAmphoraConfig({
    version,
    amphora_id: 'a1',
    interfaces: [{ name: 'mem0', role: 'MEMBER', addresses: ['10.201.2.2/24'] }],
    listeners: listeners.map((id, i) => ({
      id,
      vip_address: '10.201.1.100',
      protocol: 'TCP',
      protocol_port: 80 + i,
      default_pool_id: `p-${id}`,
      admin_state_up: true,
    })),
    pools: listeners.map((id) => ({
      id: `p-${id}`,
      protocol: 'TCP',
      admin_state_up: true,
      members: members.map((m, i) => ({
        id: `${id}-${m}`,
        address: `10.201.2.${10 + i}`,
        protocol_port: 8080,
        weight: 1,
        admin_state_up: true,
      })),
    })),
  });
}

t.test('the applier writes, updates, removes and is adopted from pinned maps', async (t) => {
  requireNetnsPrivileges();
  const obj = join(root, 'bpf/xdp_lb.bpf.o');
  if (!existsSync(obj)) throw new Error('bpf/xdp_lb.bpf.o is missing: make bpf');
  const nat = native();
  const pinRoot = `/sys/fs/bpf/vxa-applier-${process.pid}`;
  const handle = nat.loadObject(obj, { pinRoot: join(pinRoot, 'maps') });
  t.teardown(() => {
    nat.closeObject(handle);
    removePins(pinRoot);
  });
  const maps = lbMaps(nat.objectMaps(handle));
  const applier = new Applier(nat, maps);
  t.equal(applier.current.vips.size + applier.current.backends.size, 0, 'fresh maps are empty');

  const c1 = compile(config(1, ['a', 'b', 'c'], ['l1', 'l2']), applier.allocations, applier.current);
  applier.apply(c1);
  t.same(readMapState(nat, maps), c1.desired, 'the maps hold exactly the desired state');

  // Counters of a live backend must survive an unrelated update.
  const idA = c1.allocations.backendIds.get('l1-a') ?? -1;
  const fake = Buffer.alloc(nat.possibleCpus() * STATS_SIZE);
  fake.writeBigUInt64LE(5n, 0);
  nat.mapUpdate(maps.backendStats, encodeU32(idA), fake);

  const c2 = compile(config(2, ['a', 'b'], ['l1']), applier.allocations, applier.current);
  const plan = applier.apply(c2);
  t.equal(plan.vipsDelete.length, 1, 'the removed listener VIP is deleted');
  t.equal(plan.backendsDelete.length, 4, 'its three backends and member c of l1 are removed');
  const after = readMapState(nat, maps);
  t.same(after, c2.desired);
  const v1 = c1.desired.vips.get('TCP 10.201.1.100 80');
  const v2 = after.vips.get('TCP 10.201.1.100 80');
  t.equal(v2?.ringId, (v1?.ringId ?? 0) ^ 1, 'l1 flipped to its spare ring');
  t.equal(v2?.vipId, v1?.vipId);
  const stats = nat.mapLookup(maps.backendStats, encodeU32(idA));
  t.equal(stats?.readBigUInt64LE(0), 5n, 'counters of a kept backend are untouched');

  // A restarted agent: a new applier over the same pinned maps adopts ids and rings.
  const adopted = new Applier(nat, maps);
  const c3 = compile(config(2, ['a', 'b'], ['l1']), adopted.allocations, adopted.current);
  t.same(c3.allocations, c2.allocations, 'same ids after adoption');
  const noop = adopted.apply(c3);
  t.same(
    [noop.backendsUpsert, noop.ringsWrite, noop.vipsUpsert, noop.vipsDelete, noop.backendsDelete].map(
      (x) => x.length,
    ),
    [0, 0, 0, 0, 0],
    'adopting the same config writes nothing',
  );
});
