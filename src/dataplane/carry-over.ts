// Pinned maps across an upgrade that changes their layout. libbpf reuses a pinned map only
// when its type, sizes, max_entries and flags match the new build's declaration, else the
// load fails. So before a load, each pinned map that differs is unpinned (the running
// program keeps using it), the new build creates its own, and the entries are copied in:
// conntrack, counters and config alike, so open flows and totals survive the upgrade.
// Conntrack entries the old program creates between the copy and the program swap are
// copied once more after the swap.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, NoSpaceError, NotSupportedError } from '../native/errors.js';
import type { MapInfo, MapSpec, NativeAddon } from '../native/native.js';
import { LB_EXIT_MAX, MapName } from './codecs.js';

const BPF_NOEXIST = 1;
const ARRAY_TYPES = new Set([2, 6]); // BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY
/** Maps indexed by id * LB_EXIT_MAX + reason: a new exit reason moves every row. */
const BY_REASON = new Set<string>([MapName.vipDrops, MapName.backendDrops]);

/** What happened to one pinned map whose layout the new build changes. */
export interface CarriedMap {
  name: string;
  from: string; // "type/key/value/max_entries/flags" of the pinned map
  to: string; // the same of the new build's map
  copied: number;
  /** Entries that could not come along (the new map is smaller), or why none could. */
  dropped: number;
  reason?: string;
}

interface Changed {
  name: string;
  path: string;
  fd: number;
  old: MapInfo;
  spec: MapSpec;
}

interface Entries {
  count: number;
  keys: Buffer;
  values: Buffer;
}

const shape = (m: Pick<MapSpec, 'type' | 'keySize' | 'valueSize' | 'maxEntries'>, flags: number): string =>
  `${m.type}/${m.keySize}/${m.valueSize}/${m.maxEntries}/${flags}`;

export class MapCarryOver {
  private constructor(
    private readonly nat: NativeAddon,
    private readonly changed: Changed[],
    private readonly stale: string[],
  ) {}

  /**
   * Unpins every map under `mapsDir` whose layout differs from `objectPath`'s declaration
   * (keeping an fd to it). `skip` names maps handled elsewhere.
   */
  static prepare(
    nat: NativeAddon,
    objectPath: string,
    mapsDir: string,
    skip: ReadonlySet<string>,
  ): MapCarryOver {
    const specs = new Map(nat.objectMapSpecs(objectPath).map((s) => [s.name, s]));
    const pinned = existsSync(mapsDir) ? readdirSync(mapsDir) : [];
    const changed: Changed[] = [];
    for (const name of pinned) {
      const spec = specs.get(name);
      if (!spec || skip.has(name)) continue;
      const path = join(mapsDir, name);
      const fd = nat.openPinned(path);
      const old = nat.mapInfo(fd);
      if (shape(old, old.flags ?? 0) === shape(spec, spec.flags)) {
        nat.closeFd(fd);
        continue;
      }
      changed.push({ name, path, fd, old, spec });
    }
    const stale = pinned.filter((n) => !specs.has(n) && !skip.has(n)).map((n) => join(mapsDir, n));
    const carry = new MapCarryOver(nat, changed, stale);
    for (const c of changed) nat.unpin(c.path);
    return carry;
  }

  get names(): string[] {
    return this.changed.map((c) => c.name);
  }

  /** The load failed: the old maps go back under their pins, as they were. */
  restore(): void {
    for (const c of this.changed) {
      if (!existsSync(c.path)) this.nat.pinObject(c.fd, c.path);
      this.nat.closeFd(c.fd);
    }
    this.changed.length = 0;
    this.stale.length = 0; // an old build may still want them
  }

  /** The copy failed after the load: the new build's maps leave the pins, the old ones return. */
  rollBack(): void {
    for (const c of this.changed) {
      try {
        this.nat.unpin(c.path);
      } catch {
        // the load did not pin it
      }
    }
    this.restore();
  }

  /** Copies each changed map's entries into the new build's map of the same name. */
  copy(newFds: ReadonlyMap<string, number>): CarriedMap[] {
    return this.changed.map((c) => {
      const result: CarriedMap = {
        name: c.name,
        from: shape(c.old, c.old.flags ?? 0),
        to: shape(c.spec, c.spec.flags),
        copied: 0,
        dropped: 0,
      };
      const fd = newFds.get(c.name);
      const why = fd === undefined ? 'not in the new build' : incompatible(c);
      const entries = dump(this.nat, c.fd);
      if (why || fd === undefined) return { ...result, dropped: entries.count, reason: why };
      const moved = translate(c, entries);
      const copied = write(this.nat, fd, moved, c.spec.keySize);
      return { ...result, copied, dropped: entries.count - copied };
    });
  }

  /** After the swap: conntrack entries the old program created since copy(). */
  catchUp(newFds: ReadonlyMap<string, number>): number {
    const flows = this.changed.find((c) => c.name === MapName.flows);
    const fd = newFds.get(MapName.flows);
    if (!flows || fd === undefined || incompatible(flows)) return 0;
    const { count, keys, values } = dump(this.nat, flows.fd);
    const { keySize, valueSize } = flows.spec;
    let added = 0;
    for (let i = 0; i < count; i++) {
      const key = keys.subarray(i * keySize, (i + 1) * keySize);
      try {
        this.nat.mapUpdate(fd, key, values.subarray(i * valueSize, (i + 1) * valueSize), BPF_NOEXIST);
        added++;
      } catch {
        // copied before, or written meanwhile by the new program: the new map's entry wins
      }
    }
    return added;
  }

  /** Closes the old maps (freed once the old program is gone) and removes pins of maps the build dropped. */
  close(): string[] {
    for (const c of this.changed) this.nat.closeFd(c.fd);
    this.changed.length = 0;
    const removed: string[] = [];
    for (const path of this.stale.splice(0)) {
      try {
        this.nat.unpin(path);
        removed.push(path);
      } catch {
        // already gone
      }
    }
    return removed;
  }
}

/** Why entries cannot be copied byte for byte, or undefined when they can. */
function incompatible(c: Changed): string | undefined {
  if (c.old.type !== c.spec.type) return 'the map type changed';
  if (c.old.keySize !== c.spec.keySize || c.old.valueSize !== c.spec.valueSize)
    return 'the entry layout changed (no converter for it)';
  if (BY_REASON.has(c.name) && exitRowsOf(c) === undefined) return 'the per-reason rows do not line up';
  return undefined;
}

/** The old build's LB_EXIT_MAX for a per-reason map, when the number of rows is unchanged. */
function exitRowsOf(c: Changed): number | undefined {
  const rows = c.spec.maxEntries / LB_EXIT_MAX;
  const oldReasons = c.old.maxEntries / rows;
  return Number.isInteger(rows) && Number.isInteger(oldReasons) && oldReasons > 0 ? oldReasons : undefined;
}

/** Every entry: one batch dump, or key by key for maps without batch lookups (LPM tries). */
function dump(nat: NativeAddon, fd: number): Entries {
  try {
    return nat.mapDump(fd);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError || err instanceof NotSupportedError)) throw err;
  }
  const keys: Buffer[] = [];
  const values: Buffer[] = [];
  for (let k = nat.mapNextKey(fd, null); k; k = nat.mapNextKey(fd, k)) {
    const v = nat.mapLookup(fd, k);
    if (!v) continue; // deleted meanwhile
    keys.push(k);
    values.push(v);
  }
  return { count: keys.length, keys: Buffer.concat(keys), values: Buffer.concat(values) };
}

/** The entries as the new map indexes them: arrays keep the indices that still fit. */
function translate(c: Changed, e: Entries): Entries {
  if (!ARRAY_TYPES.has(c.spec.type)) return e;
  const reasons = BY_REASON.has(c.name) ? exitRowsOf(c)! : undefined;
  const valueSize = e.values.length / Math.max(e.count, 1);
  const keys: Buffer[] = [];
  const values: Buffer[] = [];
  for (let i = 0; i < e.count; i++) {
    let index = e.keys.readUInt32LE(i * 4);
    if (reasons !== undefined) {
      const reason = index % reasons;
      if (reason >= LB_EXIT_MAX) continue;
      index = Math.floor(index / reasons) * LB_EXIT_MAX + reason;
    }
    if (index >= c.spec.maxEntries) continue;
    const key = Buffer.alloc(4);
    key.writeUInt32LE(index);
    keys.push(key);
    values.push(e.values.subarray(i * valueSize, (i + 1) * valueSize));
  }
  return { count: keys.length, keys: Buffer.concat(keys), values: Buffer.concat(values) };
}

/** Writes entries in one batch where the map allows it; returns how many went in. */
function write(nat: NativeAddon, fd: number, e: Entries, keySize: number): number {
  if (e.count === 0) return 0;
  try {
    nat.mapUpdateBatch(fd, e.keys, e.values, e.count);
    return e.count;
  } catch (err) {
    if (!(
      err instanceof InvalidArgumentError ||
      err instanceof NotSupportedError ||
      err instanceof NoSpaceError
    ))
      throw err;
  }
  const valueSize = e.values.length / e.count;
  let copied = 0;
  for (let i = 0; i < e.count; i++) {
    try {
      nat.mapUpdate(
        fd,
        e.keys.subarray(i * keySize, (i + 1) * keySize),
        e.values.subarray(i * valueSize, (i + 1) * valueSize),
      );
      copied++;
    } catch (err) {
      if (err instanceof NoSpaceError) break; // the new map is smaller: the rest stays behind
      throw err;
    }
  }
  return copied;
}
