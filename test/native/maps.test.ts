// Map operations through the addon on a real kernel: element ops and their named
// errors, batch update, key iteration, per-CPU values, pins and pin-root reuse.
import t from 'tap';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ExistsError,
  InvalidArgumentError,
  NativeError,
  NoSpaceError,
  NotFoundError,
} from '../../src/native/errors.js';
import type { BpfObjectHandle, MapInfo } from '../../src/native/native.js';
import { compileBpf, countersSource, pinDir, prerequisites, tempDir, u32, u64 } from './fixture.js';

const addon = prerequisites();
const objPath = compileBpf(countersSource, tempDir(t));
const BPF_MAP_TYPE_HASH = 1;
const BPF_MAP_TYPE_PERCPU_ARRAY = 6;

type Test = Parameters<typeof pinDir>[0];

const closedEarly = new Set<BpfObjectHandle>();

/** Loads the fixture; closed at teardown unless the test closed it (with `closeEarly`). */
function load(t: Test, pinRoot: string): BpfObjectHandle {
  const obj = addon.loadObject(objPath, { pinRoot });
  t.teardown(() => {
    if (!closedEarly.has(obj)) addon.closeObject(obj);
  });
  return obj;
}

function closeEarly(obj: BpfObjectHandle): void {
  closedEarly.add(obj);
  addon.closeObject(obj);
}

function mapOf(obj: BpfObjectHandle, name: string): MapInfo {
  const map = addon.objectMaps(obj).find((m) => m.name === name);
  if (!map) throw new Error(`map ${name} not in the object`);
  return map;
}

t.test('objectMaps reports every map with its kernel geometry', async (t) => {
  const obj = load(t, pinDir(t));
  const maps = addon.objectMaps(obj);
  t.same(maps.map((m) => m.name).sort(), ['vx_array', 'vx_hash', 'vx_packets']);
  const hash = mapOf(obj, 'vx_hash');
  t.match(hash, { type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 64 });
  t.ok(hash.fd > 0);
  t.match(addon.mapInfo(hash.fd), { name: 'vx_hash', type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8 });
  t.match(mapOf(obj, 'vx_packets'), { type: BPF_MAP_TYPE_PERCPU_ARRAY, valueSize: 8, maxEntries: 1 });
});

t.test('update, lookup and delete; flag violations are named errors', async (t) => {
  const { fd } = mapOf(load(t, pinDir(t)), 'vx_hash');
  t.equal(addon.mapLookup(fd, u32(7)), null, 'absent key reads as null');
  addon.mapUpdate(fd, u32(7), u64(700));
  t.same(addon.mapLookup(fd, u32(7)), u64(700));

  const exists = t.throws(() => addon.mapUpdate(fd, u32(7), u64(1), 1 /* BPF_NOEXIST */));
  t.type(exists, ExistsError);
  t.match(exists, { errno: 17, code: 'EEXIST', syscall: 'bpf_map_update_elem' });
  t.match((exists as Error).message, /^bpf_map_update_elem: File exists/);

  const missing = t.throws(() => addon.mapUpdate(fd, u32(8), u64(1), 2 /* BPF_EXIST */));
  t.type(missing, NotFoundError);
  t.type(missing, NativeError);
  t.match(missing, { errno: 2, code: 'ENOENT', syscall: 'bpf_map_update_elem' });

  addon.mapUpdate(fd, u32(7), u64(701), 2);
  t.same(addon.mapLookup(fd, u32(7)), u64(701), 'BPF_EXIST replaces');
  t.equal(addon.mapDelete(fd, u32(7)), true);
  t.equal(addon.mapDelete(fd, u32(7)), false, 'deleting an absent key says so');
  t.equal(addon.mapLookup(fd, u32(7)), null);
});

t.test('buffers of the wrong size are refused before the syscall', async (t) => {
  const { fd } = mapOf(load(t, pinDir(t)), 'vx_hash');
  const err = t.throws(() => addon.mapUpdate(fd, Buffer.alloc(3), u64(1)));
  t.type(err, InvalidArgumentError);
  t.match((err as Error).message, /key is 3 bytes, the map expects 4/);
  t.throws(() => addon.mapLookup(fd, Buffer.alloc(8)), InvalidArgumentError);
  t.throws(() => addon.mapUpdate(fd, u32(1), Buffer.alloc(4)), InvalidArgumentError);
  t.throws(() => addon.mapLookup(fd, 'nope' as unknown as Buffer), TypeError);
});

t.test('batch update writes every element in one call; next-key walks them', async (t) => {
  const { fd } = mapOf(load(t, pinDir(t)), 'vx_hash');
  const ids = [3, 1, 4, 15, 9];
  const keys = Buffer.concat(ids.map(u32));
  const values = Buffer.concat(ids.map((id) => u64(id * 100)));
  addon.mapUpdateBatch(fd, keys, values, ids.length);
  for (const id of ids) t.same(addon.mapLookup(fd, u32(id)), u64(id * 100), `key ${id}`);

  const seen: number[] = [];
  let key: Buffer | null = null;
  for (let i = 0; i <= ids.length; i++) {
    key = addon.mapNextKey(fd, key);
    if (key === null) break;
    seen.push(key.readUInt32LE());
  }
  t.equal(key, null, 'iteration ends with null');
  t.same(
    seen.sort((a, b) => a - b),
    [...ids].sort((a, b) => a - b),
  );

  // The kernel takes only BPF_ANY or BPF_F_LOCK for a batch.
  t.throws(
    () => addon.mapUpdateBatch(fd, keys, values, ids.length, 1 /* BPF_NOEXIST */),
    InvalidArgumentError,
  );
  t.throws(() => addon.mapUpdateBatch(fd, keys, values.subarray(8), ids.length), InvalidArgumentError);
});

t.test('mapDump reads every entry of a hash and an array map in batches', async (t) => {
  const obj = load(t, pinDir(t));
  const hash = mapOf(obj, 'vx_hash');
  t.same(addon.mapDump(hash.fd), { count: 0, keys: Buffer.alloc(0), values: Buffer.alloc(0) }, 'empty');
  const ids = Array.from({ length: hash.maxEntries }, (_, i) => i * 7 + 1);
  addon.mapUpdateBatch(
    hash.fd,
    Buffer.concat(ids.map(u32)),
    Buffer.concat(ids.map((id) => u64(id))),
    ids.length,
  );
  const dump = addon.mapDump(hash.fd);
  t.equal(dump.count, ids.length, 'a full map');
  const got = new Map<number, bigint>();
  for (let i = 0; i < dump.count; i++)
    got.set(dump.keys.readUInt32LE(i * 4), dump.values.readBigUInt64LE(i * 8));
  t.same(
    [...got.keys()].sort((a, b) => a - b),
    ids,
    'every key once',
  );
  t.ok(
    ids.every((id) => got.get(id) === BigInt(id)),
    'each with its value',
  );

  const array = mapOf(obj, 'vx_array');
  const all = addon.mapDump(array.fd);
  t.equal(all.count, array.maxEntries, 'an array map has every index');
  t.equal(all.keys.readUInt32LE((array.maxEntries - 1) * 4), array.maxEntries - 1);
});

t.test('array values that are not a multiple of 8 bytes round-trip', async (t) => {
  const { fd, valueSize } = mapOf(load(t, pinDir(t)), 'vx_array');
  t.equal(valueSize, 12);
  const value = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  addon.mapUpdate(fd, u32(5), value);
  t.same(addon.mapLookup(fd, u32(5)), value);
  t.same(addon.mapLookup(fd, u32(4)), Buffer.alloc(12), 'array slots exist zeroed');
  t.equal(addon.mapLookup(fd, u32(8)), null, 'beyond max_entries reads as absent');
  const full = t.throws(() => addon.mapUpdate(fd, u32(8), value));
  t.type(full, NoSpaceError);
  t.match(full, { code: 'E2BIG' });
});

t.test('per-CPU values hold one 8-byte-aligned slot per possible CPU', async (t) => {
  const obj = load(t, pinDir(t));
  const { fd } = mapOf(obj, 'vx_packets');
  const cpus = addon.possibleCpus();
  t.ok(cpus >= 1);
  const slots = Buffer.alloc(cpus * 8);
  for (let cpu = 0; cpu < cpus; cpu++) slots.writeBigUInt64LE(BigInt(cpu + 1), cpu * 8);
  addon.mapUpdate(fd, u32(0), slots);
  const read = addon.mapLookup(fd, u32(0));
  t.same(read, slots);

  // The program adds to the slot of the CPU it ran on: the sum grows by the runs.
  const sum = (b: Buffer | null): bigint => {
    let s = 0n;
    for (let cpu = 0; cpu < cpus; cpu++) s += b?.readBigUInt64LE(cpu * 8) ?? 0n;
    return s;
  };
  const before = sum(read);
  const run = addon.testRun(addon.programFd(obj, 'xdp_count'), Buffer.alloc(64), 5);
  t.equal(run.retval, 2, 'XDP_PASS');
  t.equal(sum(addon.mapLookup(fd, u32(0))), before + 5n);
  t.throws(() => addon.mapUpdate(fd, u32(0), u64(1)), InvalidArgumentError, 'one slot is not enough');
});

t.test('a pinned map reopens by path and sees the same data', async (t) => {
  const obj = load(t, pinDir(t));
  const { fd } = mapOf(obj, 'vx_hash');
  const dir = pinDir(t);
  mkdirSync(dir);
  const path = join(dir, 'pinned_hash');
  addon.pinObject(fd, path);
  t.throws(() => addon.pinObject(fd, path), ExistsError, 'a pin path is taken once');
  addon.mapUpdate(fd, u32(42), u64(4242));

  const reopened = addon.openPinned(path);
  t.teardown(() => addon.closeFd(reopened));
  t.not(reopened, fd);
  t.same(addon.mapLookup(reopened, u32(42)), u64(4242));
  t.equal(addon.mapInfo(reopened).name, 'vx_hash');

  addon.unpin(path);
  const gone = t.throws(() => addon.openPinned(path));
  t.type(gone, NotFoundError);
  t.match(gone, { syscall: 'bpf_obj_get' });
  t.throws(() => addon.unpin(path), NotFoundError, 'unpinning twice is ENOENT');
});

t.test('loading twice with the same pin root reuses the maps pinned by name', async (t) => {
  const root = join(pinDir(t), 'nested', 'root');
  const first = load(t, root);
  addon.mapUpdate(mapOf(first, 'vx_hash').fd, u32(1), u64(111));

  const second = load(t, root);
  t.same(
    addon.mapLookup(mapOf(second, 'vx_hash').fd, u32(1)),
    u64(111),
    "second load sees the first one's data",
  );
  closeEarly(first);
  addon.mapUpdate(mapOf(second, 'vx_hash').fd, u32(2), u64(222));

  const third = load(t, root);
  t.same(addon.mapLookup(mapOf(third, 'vx_hash').fd, u32(2)), u64(222), 'pins outlive the object');
  t.same(addon.mapLookup(mapOf(third, 'vx_hash').fd, u32(1)), u64(111));

  const other = load(t, pinDir(t));
  t.equal(addon.mapLookup(mapOf(other, 'vx_hash').fd, u32(1)), null, 'another pin root is another map');
});

t.test('a closed object handle is refused, not freed twice', async (t) => {
  const obj = addon.loadObject(objPath, { pinRoot: pinDir(t) });
  addon.closeObject(obj);
  t.throws(() => addon.closeObject(obj), TypeError);
  t.throws(() => addon.objectMaps(obj), TypeError);
});
