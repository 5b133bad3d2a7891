// The conntrack sweep over lb_flows. The XDP program creates and updates entries
// (bpf/ct.h, bpf/flow.h) but never ages them: the sweep deletes pairs idle past their
// state's timeout, rebuilds a half that LRU eviction took, removes halves whose twin's key
// another flow holds now, and counts the live pairs per VIP and member into lb_*_active,
// which connection_limit and LEAST_CONNECTIONS read.
//
// planSweep() states the policy (pure, tested case by case); the kernel program lb_sweep
// (bpf/sweep.h) applies it in one walk, and sweepConntrack() runs that program. A test
// runs both on the same tables. The walk is in the kernel because copying a full table
// (262,144 entries) to the agent and back cost ~2 s of CPU; lb_sweep takes milliseconds.
import type { NativeAddon } from '../native/native.js';
import {
  LB_CT_CLOSING,
  LB_CT_SYN_SENT,
  LB_DIR_FORWARD,
  LB_DIR_REVERSE,
  LAYOUT,
  FLOW_KEY_SIZE,
  FLOW_SIZE,
} from './codecs.js';
import { ctFields, entryId, RawCtEntry, twinIdOf, twinKey, type CtEntry } from './ct-entry.js';

/** Tells this sweep's rebuilt halves from older ones (lb_flow.sweep_mark). */
let sweepMark = Math.floor(Math.random() * 0xffff); // a restarted agent does not repeat the last one

/** The verdict lb_sweep returns when it ran (XDP_PASS). */
const SWEEP_DONE = 2;

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
  /** Entries visited: all of lb_flows, less halves deleted with their twin before their turn. */
  entries: number;
  /** Entries deleted as expired (both halves of a pair count). */
  expired: number;
  /** Entries deleted because another flow holds their twin's key. */
  orphaned: number;
  /** Halves rebuilt. */
  repaired: number;
}

export interface SweepOptions {
  /** bpf_ktime_get_ns() to judge by; default process.hrtime.bigint() (CLOCK_MONOTONIC) now. */
  nowNs?: bigint;
}

/**
 * One sweep: runs lb_sweep (the program `sweepProgFd`), which walks lb_flows, deletes
 * expired pairs and orphaned halves, rebuilds missing halves, and writes lb_vip_active /
 * lb_backend_active as { opened_at_sweep: the counter before the walk, active: the live
 * pairs counted }.
 */
export function sweepConntrack(nat: NativeAddon, sweepProgFd: number, opts: SweepOptions = {}): SweepResult {
  const o = LAYOUT.lb_sweep_args.offsets;
  const args = Buffer.alloc(LAYOUT.lb_sweep_args.size);
  args.writeBigUInt64LE(opts.nowNs ?? process.hrtime.bigint(), o.now_ns);
  sweepMark = (sweepMark % 0xffff) + 1; // 1..65535: 0 marks halves no sweep rebuilt
  args.writeUInt16LE(sweepMark, o.mark);
  const run = nat.testRun(sweepProgFd, args);
  if (run.retval !== SWEEP_DONE || run.data.length < args.length)
    throw new Error(`lb_sweep failed (verdict ${run.retval}, ${run.data.length} bytes back)`);
  return {
    entries: run.data.readUInt32LE(o.entries),
    expired: run.data.readUInt32LE(o.expired),
    orphaned: run.data.readUInt32LE(o.orphaned),
    repaired: run.data.readUInt32LE(o.repaired),
  };
}

/** Every lb_flows entry, each once (a batch walk racing the program may repeat a key). */
export function dumpFlows(nat: NativeAddon, flowsFd: number): CtEntry[] {
  const { count, keys, values } = nat.mapDump(flowsFd);
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
