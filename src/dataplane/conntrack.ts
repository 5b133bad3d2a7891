// The agent's conntrack sweep over lb_flows. The XDP program creates and updates entries
// (bpf/ct.h, bpf/flow.h) but never ages them: the sweep deletes pairs idle past their
// state's timeout, rebuilds a half that LRU eviction took, removes halves whose twin's key
// another flow holds now, and counts the live pairs per VIP and member into lb_*_active,
// which connection_limit and LEAST_CONNECTIONS read.
//
// planSweep() is the policy (pure); sweepConntrack() reads the maps, plans and applies.
import type { NativeAddon } from '../native/native.js';
import { ExistsError } from '../native/errors.js';
import {
  decodeSettings,
  decodeU64,
  decodeVipMeta,
  encodeActive,
  encodeFlow,
  encodeFlowKey,
  encodeU32,
  LB_CT_CLOSING,
  LB_CT_SYN_SENT,
  LB_DIR_FORWARD,
  LB_DIR_REVERSE,
  LB_MAX_BACKENDS,
  LB_MAX_VIPS,
  LAYOUT,
  BACKEND_SIZE,
  FLOW_KEY_SIZE,
  FLOW_SIZE,
  U32_SIZE,
} from './codecs.js';
import type { LbMaps } from './maps.js';
import { ctFields, entryId, RawCtEntry, twinIdOf, twinKey, type CtEntry } from './ct-entry.js';

export { twinKey, type CtEntry } from './ct-entry.js';

/** A VIP's timeouts (lb_vip_meta); 0 = never expires (LRU eviction or port reuse only). */
export interface VipTimeouts {
  idleTimeoutMs: number;
  synTimeoutMs: number;
}

/** For flows of a VIP no longer in lb_vips: Octavia's defaults (timeout_*_data, timeout_member_connect). */
export const DEFAULT_VIP_TIMEOUTS: VipTimeouts = { idleTimeoutMs: 50_000, synTimeoutMs: 5_000 };

export interface SweepPolicy {
  vips: ReadonlyMap<number, VipTimeouts>;
  closingTimeoutMs: number;
  /** bpf_ktime_get_ns() now: CLOCK_MONOTONIC, which process.hrtime.bigint() reads too. */
  nowNs: bigint;
}

export interface SweepPlan {
  /** Pairs (or lone halves) idle past their timeout, as read: deleted only if no packet came since. */
  expired: CtEntry[][];
  /** Entries whose twin's key holds another flow's entry: they can never be whole again. */
  orphaned: CtEntry[];
  /** Missing halves to insert (only if still absent). */
  repairs: CtEntry[];
  /** Live pairs (neither CLOSING nor expired) per vip_id and per backend id. */
  vipActive: Map<number, number>;
  backendActive: Map<number, number>;
}

const NO_MAC = '00:00:00:00:00:00';

/**
 * The twin of an entry, as the program would have made it (bpf/ct.h ct_twin_entry), but
 * without a last hop: a rebuilt reverse entry has ifindex 0, so the FIB routes replies.
 */
export function twinEntry(e: CtEntry): CtEntry {
  const { key, flow } = e;
  return {
    key: twinKey(e),
    flow: {
      natSrc: key.dst,
      natDst: key.src,
      natSport: key.dport,
      natDport: key.sport,
      backendId: flow.backendId,
      vipId: flow.vipId,
      dir: flow.dir === LB_DIR_FORWARD ? LB_DIR_REVERSE : LB_DIR_FORWARD,
      state: flow.state,
      l2Dst: NO_MAC,
      l2Src: NO_MAC,
      ifindex: 0,
      lastSeenNs: flow.lastSeenNs,
    },
  };
}

function timeoutMs(state: number, vip: VipTimeouts, closingTimeoutMs: number): number {
  if (state === LB_CT_CLOSING) return closingTimeoutMs;
  if (state === LB_CT_SYN_SENT) return vip.synTimeoutMs;
  return vip.idleTimeoutMs; // UDP and ESTABLISHED
}

function isExpired(state: number, lastSeenNs: bigint, vipId: number, policy: SweepPolicy): boolean {
  const ms = timeoutMs(state, policy.vips.get(vipId) ?? DEFAULT_VIP_TIMEOUTS, policy.closingTimeoutMs);
  return ms > 0 && policy.nowNs - lastSeenNs > BigInt(ms) * 1_000_000n;
}

function bump(counts: Map<number, number>, id: number): void {
  counts.set(id, (counts.get(id) ?? 0) + 1);
}

/**
 * Decides the sweep from a snapshot of lb_flows. A pair's state is the later of its halves'
 * (LB_CT_* grow through a connection's life) and its last packet the later of theirs.
 */
export function planSweep(entries: readonly CtEntry[], policy: SweepPolicy): SweepPlan {
  const byKey = new Map(entries.map((e) => [entryId(e), e]));
  const plan: SweepPlan = {
    expired: [],
    orphaned: [],
    repairs: [],
    vipActive: new Map(),
    backendActive: new Map(),
  };
  for (const e of entries) {
    const ct = ctFields(e);
    const twin = byKey.get(twinIdOf(e));
    const twinCt = twin && ctFields(twin);
    const whole = twin !== undefined && twinCt?.dir !== ct.dir && twinIdOf(twin) === entryId(e);
    if (twin && !whole) {
      plan.orphaned.push(e);
      continue;
    }
    if (whole && ct.dir !== LB_DIR_FORWARD) continue; // the pair is judged at its forward half
    const state = Math.max(ct.state, twinCt?.state ?? 0);
    const lastSeen = twinCt && twinCt.lastSeenNs > ct.lastSeenNs ? twinCt.lastSeenNs : ct.lastSeenNs;
    if (isExpired(state, lastSeen, ct.vipId, policy)) {
      plan.expired.push(twin ? [e, twin] : [e]);
      continue;
    }
    if (!twin) plan.repairs.push(twinEntry(e));
    if (state !== LB_CT_CLOSING) {
      bump(plan.vipActive, ct.vipId);
      bump(plan.backendActive, ct.backendId);
    }
  }
  return plan;
}

export interface SweepResult {
  /** Entries in lb_flows when the walk ran. */
  entries: number;
  /** Entries deleted as expired (both halves of a pair count). */
  expired: number;
  /** Entries deleted because another flow holds their twin's key. */
  orphaned: number;
  /** Halves rebuilt. */
  repaired: number;
  vipActive: Map<number, number>;
  backendActive: Map<number, number>;
}

export interface SweepOptions {
  /** bpf_ktime_get_ns() to judge by; default process.hrtime.bigint() when the sweep starts. */
  nowNs?: bigint;
  /** Backend ids to write lb_backend_active for; default every slot of lb_backends in use. */
  backendIds?: readonly number[];
}

/** Every lb_flows entry, each once (a batch walk racing the program may repeat a key). */
function readFlows(nat: NativeAddon, fd: number): CtEntry[] {
  const { count, keys, values } = nat.mapDump(fd);
  const seen = new Map<string, RawCtEntry>();
  for (let i = 0; i < count; i++) {
    const e = new RawCtEntry(
      keys.subarray(i * FLOW_KEY_SIZE, (i + 1) * FLOW_KEY_SIZE),
      values.subarray(i * FLOW_SIZE, (i + 1) * FLOW_SIZE),
    );
    if (!seen.has(e.id)) seen.set(e.id, e);
  }
  return [...seen.values()];
}

function readVipTimeouts(nat: NativeAddon, fd: number): Map<number, VipTimeouts> {
  const vips = new Map<number, VipTimeouts>();
  for (let k = nat.mapNextKey(fd, null); k; k = nat.mapNextKey(fd, k)) {
    const v = nat.mapLookup(fd, k);
    if (!v) continue;
    const m = decodeVipMeta(v);
    vips.set(m.vipId, { idleTimeoutMs: m.idleTimeoutMs, synTimeoutMs: m.synTimeoutMs });
  }
  return vips;
}

function backendsInUse(nat: NativeAddon, fd: number): number[] {
  const { count, keys, values } = nat.mapDump(fd);
  const familyOffset = LAYOUT.lb_backend.offsets.family; // 0 = slot unused
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    if (values[i * BACKEND_SIZE + familyOffset] !== 0) ids.push(keys.readUInt32LE(i * U32_SIZE));
  }
  return ids;
}

/** Deletes the entries (a pair or a lone half) unless a packet refreshed one since the snapshot. */
function deleteIfUnchanged(nat: NativeAddon, fd: number, group: readonly CtEntry[]): number {
  const unchanged = group.every((e) => {
    const now = nat.mapLookup(fd, encodeFlowKey(e.key));
    return (
      now !== null && now.readBigUInt64LE(LAYOUT.lb_flow.offsets.last_seen_ns) === ctFields(e).lastSeenNs
    );
  });
  if (!unchanged) return 0;
  return group.filter((e) => nat.mapDelete(fd, encodeFlowKey(e.key))).length;
}

/**
 * One sweep of lb_flows: reads the opened counters, walks the table, deletes expired pairs
 * and orphaned halves, rebuilds missing halves, and writes lb_vip_active / lb_backend_active
 * as { opened_at_sweep: the counter before the walk, active: the live pairs counted }.
 */
export function sweepConntrack(nat: NativeAddon, maps: LbMaps, opts: SweepOptions = {}): SweepResult {
  const vips = readVipTimeouts(nat, maps.vips);
  const settings = nat.mapLookup(maps.settings, encodeU32(0));
  const closingTimeoutMs = settings ? decodeSettings(settings).closingTimeoutMs : 0;
  const backendIds = opts.backendIds ?? backendsInUse(nat, maps.backends);
  const opened = (fd: number, id: number): bigint => {
    const v = nat.mapLookup(fd, encodeU32(id));
    return v ? decodeU64(v) : 0n;
  };
  const vipOpened = new Map([...vips.keys()].map((id) => [id, opened(maps.vipOpened, id)]));
  const backendOpened = new Map(backendIds.map((id) => [id, opened(maps.backendOpened, id)]));
  const nowNs = opts.nowNs ?? process.hrtime.bigint();

  const entries = readFlows(nat, maps.flows);
  const plan = planSweep(entries, { vips, closingTimeoutMs, nowNs });

  const result: SweepResult = {
    entries: entries.length,
    expired: 0,
    orphaned: 0,
    repaired: 0,
    vipActive: plan.vipActive,
    backendActive: plan.backendActive,
  };
  for (const group of plan.expired) result.expired += deleteIfUnchanged(nat, maps.flows, group);
  for (const e of plan.orphaned) result.orphaned += deleteIfUnchanged(nat, maps.flows, [e]);
  for (const e of plan.repairs) {
    try {
      nat.mapUpdate(maps.flows, encodeFlowKey(e.key), encodeFlow(e.flow), 1 /* BPF_NOEXIST */);
      result.repaired++;
    } catch (err) {
      if (!(err instanceof ExistsError)) throw err; // the program rebuilt it meanwhile
    }
  }

  const writeActive = (
    fds: { active: number; opened: number },
    max: number,
    openedBefore: Map<number, bigint>,
    counts: Map<number, number>,
  ): void => {
    for (const id of new Set([...openedBefore.keys(), ...counts.keys()])) {
      if (id >= max) continue; // a corrupt entry's id: no slot to write
      const openedAtSweep = openedBefore.get(id) ?? opened(fds.opened, id);
      const active = { openedAtSweep, active: BigInt(counts.get(id) ?? 0) };
      nat.mapUpdate(fds.active, encodeU32(id), encodeActive(active));
    }
  };
  writeActive({ active: maps.vipActive, opened: maps.vipOpened }, LB_MAX_VIPS, vipOpened, plan.vipActive);
  writeActive(
    { active: maps.backendActive, opened: maps.backendOpened },
    LB_MAX_BACKENDS,
    backendOpened,
    plan.backendActive,
  );
  return result;
}
