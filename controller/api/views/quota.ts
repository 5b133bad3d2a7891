// What the quota API shows: a project's limits under Octavia's names; list entries
// also carry the project and the deprecated spellings, as Octavia's QuotaAllBase.
import type { QuotaLimits, QuotaRow } from '../../db/quota-repo.js';

export type QuotaView = QuotaLimits;

export interface QuotaListView {
  project_id: string;
  tenant_id: string;
  load_balancer: number | null;
  loadbalancer: number | null;
  listener: number | null;
  pool: number | null;
  health_monitor: number | null;
  healthmonitor: number | null;
  member: number | null;
  l7policy: number | null;
  l7rule: number | null;
}

export function quotaView(limits: QuotaLimits): QuotaView {
  return {
    load_balancer: limits.load_balancer,
    listener: limits.listener,
    pool: limits.pool,
    health_monitor: limits.health_monitor,
    member: limits.member,
    l7policy: limits.l7policy,
    l7rule: limits.l7rule,
  };
}

/** A list entry shows the explicit values: null where the default applies. */
export function quotaListView(row: QuotaRow): QuotaListView {
  return {
    project_id: row.project_id,
    tenant_id: row.project_id,
    load_balancer: row.load_balancer,
    loadbalancer: row.load_balancer,
    listener: row.listener,
    pool: row.pool,
    health_monitor: row.health_monitor,
    healthmonitor: row.health_monitor,
    member: row.member,
    l7policy: row.l7policy,
    l7rule: row.l7rule,
  };
}
