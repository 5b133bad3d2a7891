// What to write so the maps go from `current` to `desired`, in the order that never
// exposes a half-written service: backends, then rings (into slots no VIP points at yet),
// then the allowed_cidrs a VIP will need, then VIP entries (insert, or flip ring_id and
// flags); removals run the other way round: VIP entries first, then the allowed_cidrs
// no VIP entry needs any more, then backends. Rings are never cleared: an unreferenced
// ring is dead weight only until its slot is written again.
import type { BackendEntry, CidrEntry, MapState, VipEntry } from './state.js';

export interface Plan {
  backendsUpsert: [number, BackendEntry][];
  ringsWrite: [number, Uint32Array][];
  cidrsInsert: CidrEntry[];
  vipsUpsert: VipEntry[];
  vipsDelete: VipEntry[];
  cidrsDelete: CidrEntry[];
  backendsDelete: number[];
}

function sameBackend(a: BackendEntry, b: BackendEntry): boolean {
  return (
    a.address === b.address &&
    a.port === b.port &&
    a.snat === b.snat &&
    a.flags === b.flags &&
    a.weight === b.weight
  );
}

function sameVip(a: VipEntry, b: VipEntry): boolean {
  return (
    a.flags === b.flags &&
    a.ringId === b.ringId &&
    a.vipId === b.vipId &&
    a.connLimit === b.connLimit &&
    a.idleTimeoutMs === b.idleTimeoutMs &&
    a.synTimeoutMs === b.synTimeoutMs
  );
}

function sameRing(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function diff(current: MapState, desired: MapState): Plan {
  const plan: Plan = {
    backendsUpsert: [],
    ringsWrite: [],
    cidrsInsert: [],
    vipsUpsert: [],
    vipsDelete: [],
    cidrsDelete: [],
    backendsDelete: [],
  };
  for (const [id, b] of desired.backends) {
    const now = current.backends.get(id);
    if (!now || !sameBackend(now, b)) plan.backendsUpsert.push([id, b]);
  }
  for (const [id, ring] of desired.rings) {
    const now = current.rings.get(id);
    if (!now || !sameRing(now, ring)) plan.ringsWrite.push([id, ring]);
  }
  for (const [key, c] of desired.cidrs) if (!current.cidrs.has(key)) plan.cidrsInsert.push(c);
  for (const [key, v] of desired.vips) {
    const now = current.vips.get(key);
    if (!now || !sameVip(now, v)) plan.vipsUpsert.push(v);
  }
  for (const [key, v] of current.vips) if (!desired.vips.has(key)) plan.vipsDelete.push(v);
  for (const [key, c] of current.cidrs) if (!desired.cidrs.has(key)) plan.cidrsDelete.push(c);
  for (const id of current.backends.keys()) if (!desired.backends.has(id)) plan.backendsDelete.push(id);
  return plan;
}

export function planSize(p: Plan): number {
  return (
    p.backendsUpsert.length +
    p.ringsWrite.length +
    p.cidrsInsert.length +
    p.vipsUpsert.length +
    p.vipsDelete.length +
    p.cidrsDelete.length +
    p.backendsDelete.length
  );
}

export function isEmptyPlan(p: Plan): boolean {
  return planSize(p) === 0;
}
