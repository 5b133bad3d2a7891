// What the worker needs from the database: claim jobs with a lease, read the whole
// graph of a load balancer (pending rows included), and settle statuses once the
// amphora serves the new config. Amphora rows: ./amphora-repo.ts.
import { sql, type Expression, type ExpressionBuilder, type Selectable, type SqlBool } from 'kysely';
import { now, type Db, type Executor } from './database.js';
import { ADVISORY_LOCK, isPostgres, tryLockUntilCommit } from './dialect.js';
import type { HealthMonitorRow } from './health-monitor-repo.js';
import {
  deleteL7OfLoadBalancer,
  loadL7Graph,
  removeDeletedL7,
  settleL7,
  type L7PolicyGraph,
} from './l7-graph-repo.js';
import type { ListenerRow } from './listener-repo.js';
import type { LoadBalancerRow } from './load-balancer-repo.js';
import type { MemberRow } from './member-repo.js';
import type { PoolRow } from './pool-repo.js';
import type { Database, JobTable, OperatingStatus, ProvisioningStatus } from './schema.js';

export type JobRow = Selectable<JobTable>;

/** The columns of a job `owner` has just claimed until `leaseUntil`. */
function claimedBy(eb: ExpressionBuilder<Database, 'job'>, owner: string, leaseUntil: string) {
  return {
    state: 'running',
    lease_owner: owner,
    lease_until: leaseUntil,
    attempts: eb('attempts', '+', 1),
    updated_at: now(),
  } as const;
}

/** A job a claimer may take: pending, or running under a lease that ran out. */
function claimable(table: 'j' | 'job', nowIso: string): Expression<SqlBool> {
  const col = (c: string) => sql.ref(`${table}.${c}`);
  return sql<SqlBool>`(${col('state')} = 'pending' or (${col('state')} = 'running' and ${col('lease_until')} < ${nowIso}))`;
}

/** No other job of the load balancer runs under a live lease (one job per load balancer at a time). */
function noOtherLiveJob(
  lbId: Expression<unknown>,
  jobId: Expression<unknown>,
  nowIso: string,
): Expression<SqlBool> {
  return sql<SqlBool>`not exists (select 1 from job as r where r.load_balancer_id = ${lbId} and r.id != ${jobId} and r.state = 'running' and r.lease_until >= ${nowIso})`;
}

/**
 * Atomically claim the oldest job that is pending (or running with an expired
 * lease) whose load balancer has no other job running under a live lease. The job
 * becomes 'running', owned by `owner` until now + leaseMs; attempts is incremented.
 */
export async function claimJob(db: Db, owner: string, leaseMs: number): Promise<JobRow | undefined> {
  if (isPostgres(db)) return claimJobPostgres(db, owner, leaseMs);
  return db.transaction().execute(async (trx) => {
    const t = new Date();
    const nowIso = t.toISOString();
    const candidate = await trx
      .selectFrom('job as j')
      .select('j.id')
      .where(claimable('j', nowIso))
      .where(noOtherLiveJob(sql.ref('j.load_balancer_id'), sql.ref('j.id'), nowIso))
      .orderBy('j.id')
      .limit(1)
      .executeTakeFirst();
    if (!candidate) return undefined;
    const leaseUntil = new Date(t.getTime() + leaseMs).toISOString();
    // Conditional on the state we saw, so a concurrent claimer cannot take it too.
    const res = await trx
      .updateTable('job')
      .set((eb) => claimedBy(eb, owner, leaseUntil))
      .where('id', '=', candidate.id)
      .where(claimable('job', nowIso))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return undefined;
    return trx.selectFrom('job').selectAll().where('id', '=', candidate.id).executeTakeFirst();
  });
}

/** Candidates one PostgreSQL claim looks at before leaving the rest to the next poll. */
const PG_CLAIM_CANDIDATES = 4;

/**
 * claimJob on PostgreSQL, where several controllers claim concurrently (READ
 * COMMITTED, no database-wide write lock as in SQLite):
 * - the candidate is read `FOR UPDATE SKIP LOCKED`, so two claimers never pick the
 *   same job and neither waits for the other;
 * - a transaction-scoped advisory lock on the job's load balancer then admits one
 *   claimer per load balancer at a time (two jobs of one load balancer are different
 *   rows, so row locks alone would let both run);
 * - the UPDATE repeats every condition, including "no other job of this load balancer
 *   runs under a live lease": it starts after the advisory lock was granted, so it
 *   reads every claim committed by the previous holder.
 * A candidate whose load balancer is busy is skipped for the next one, a few times.
 */
async function claimJobPostgres(db: Db, owner: string, leaseMs: number): Promise<JobRow | undefined> {
  return db.transaction().execute(async (trx) => {
    const t = new Date();
    const nowIso = t.toISOString();
    const leaseUntil = new Date(t.getTime() + leaseMs).toISOString();
    const skipped: number[] = [];
    for (let i = 0; i < PG_CLAIM_CANDIDATES; i++) {
      let q = trx
        .selectFrom('job as j')
        .select(['j.id', 'j.load_balancer_id'])
        .where(claimable('j', nowIso))
        .where(noOtherLiveJob(sql.ref('j.load_balancer_id'), sql.ref('j.id'), nowIso));
      if (skipped.length) q = q.where('j.id', 'not in', skipped);
      const candidate = await q.orderBy('j.id').limit(1).forUpdate('j').skipLocked().executeTakeFirst();
      if (!candidate) return undefined;
      skipped.push(candidate.id);
      // Taken: another controller is claiming for this load balancer right now.
      if (!(await tryLockUntilCommit(trx, ADVISORY_LOCK.jobClaim, candidate.load_balancer_id))) continue;
      const claimed = await trx
        .updateTable('job')
        .set((eb) => claimedBy(eb, owner, leaseUntil))
        .where('id', '=', candidate.id)
        .where(claimable('job', nowIso))
        .where(noOtherLiveJob(sql.val(candidate.load_balancer_id), sql.val(candidate.id), nowIso))
        .returningAll()
        .executeTakeFirst();
      if (claimed) return claimed;
    }
    return undefined;
  });
}

/** Extend the lease of a job still owned by `owner`; false if it was lost. */
export async function renewLease(db: Executor, id: number, owner: string, leaseMs: number): Promise<boolean> {
  const r = await db
    .updateTable('job')
    .set({ lease_until: new Date(Date.now() + leaseMs).toISOString(), updated_at: now() })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Mark a job done, or failed with `error`. */
export async function finishJob(db: Executor, id: number, error?: string): Promise<void> {
  await db
    .updateTable('job')
    .set({
      state: error === undefined ? 'done' : 'failed',
      error: error ?? null,
      lease_until: null,
      updated_at: now(),
    })
    .where('id', '=', id)
    .execute();
}

export function getJob(db: Executor, id: number): Promise<JobRow | undefined> {
  return db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface PoolGraph {
  pool: PoolRow;
  members: MemberRow[];
  /** The pool's health monitor, if it has one (not in the amphora config yet). */
  healthMonitor?: HealthMonitorRow;
}

export interface LoadBalancerGraph {
  loadBalancer: LoadBalancerRow;
  listeners: ListenerRow[];
  pools: PoolGraph[];
  /** The listeners' L7 policies with their rules, by listener and position (absent: none). */
  l7policies?: L7PolicyGraph[];
}

/** Everything under a load balancer, whatever its provisioning status. */
export async function loadLoadBalancerGraph(
  db: Executor,
  lbId: string,
): Promise<LoadBalancerGraph | undefined> {
  const loadBalancer = await db
    .selectFrom('load_balancer')
    .selectAll()
    .where('id', '=', lbId)
    .executeTakeFirst();
  if (!loadBalancer) return undefined;
  const listeners = await db
    .selectFrom('listener')
    .selectAll()
    .where('load_balancer_id', '=', lbId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const pools = await db
    .selectFrom('pool')
    .selectAll()
    .where('load_balancer_id', '=', lbId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const members = pools.length
    ? await db
        .selectFrom('member')
        .selectAll()
        .where(
          'pool_id',
          'in',
          pools.map((p) => p.id),
        )
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    : [];
  const monitors = pools.length
    ? await db
        .selectFrom('health_monitor')
        .selectAll()
        .where(
          'pool_id',
          'in',
          pools.map((p) => p.id),
        )
        .execute()
    : [];
  const l7policies = await loadL7Graph(db, lbId);
  return {
    loadBalancer,
    listeners,
    l7policies,
    pools: pools.map((pool) => {
      const healthMonitor = monitors.find((hm) => hm.pool_id === pool.id);
      return {
        pool,
        members: members.filter((m) => m.pool_id === pool.id),
        ...(healthMonitor ? { healthMonitor } : {}),
      };
    }),
  };
}

/**
 * The amphora serves the graph: rows PENDING_DELETE are removed (L7 rules and policies,
 * members and health monitors, then pools, clearing default_pool_id references, then
 * listeners), PENDING_CREATE, PENDING_UPDATE and ERROR become ACTIVE (the whole config
 * was applied, so every remaining object is served), and so does the load balancer.
 */
export async function markGraphActive(db: Db, lbId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const ts = now();
    await removeDeletedL7(trx, lbId);
    const poolIds = trx.selectFrom('pool').select('id').where('load_balancer_id', '=', lbId);
    await trx
      .deleteFrom('member')
      .where('pool_id', 'in', poolIds)
      .where('provisioning_status', '=', 'PENDING_DELETE')
      .execute();
    await trx
      .deleteFrom('health_monitor')
      .where('pool_id', 'in', poolIds)
      .where('provisioning_status', '=', 'PENDING_DELETE')
      .execute();
    const deadPools = trx
      .selectFrom('pool')
      .select('id')
      .where('load_balancer_id', '=', lbId)
      .where('provisioning_status', '=', 'PENDING_DELETE');
    await trx
      .updateTable('listener')
      .set({ default_pool_id: null })
      .where('default_pool_id', 'in', deadPools)
      .execute();
    await trx.deleteFrom('member').where('pool_id', 'in', deadPools).execute();
    await trx.deleteFrom('health_monitor').where('pool_id', 'in', deadPools).execute();
    await trx
      .deleteFrom('pool')
      .where('load_balancer_id', '=', lbId)
      .where('provisioning_status', '=', 'PENDING_DELETE')
      .execute();
    await trx
      .deleteFrom('listener')
      .where('load_balancer_id', '=', lbId)
      .where('provisioning_status', '=', 'PENDING_DELETE')
      .execute();
    await settleGraph(trx, lbId, ['PENDING_CREATE', 'PENDING_UPDATE', 'ERROR'], 'ACTIVE', ts);
  });
}

/** The worker gave up: every pending row of the graph and the load balancer become ERROR. */
export async function markGraphError(db: Db, lbId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await settleGraph(trx, lbId, ['PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE'], 'ERROR', now());
  });
}

/**
 * L7 rules and policies, members, health monitors, pools and listeners of the load
 * balancer in one of `from` become `to`, and so does it. A health monitor becoming ACTIVE is ONLINE, or OFFLINE
 * when disabled (Octavia's MarkHealthMonitorActiveInDB).
 */
async function settleGraph(
  trx: Executor,
  lbId: string,
  from: ProvisioningStatus[],
  to: ProvisioningStatus,
  ts: string,
): Promise<void> {
  await settleL7(trx, lbId, from, to, ts);
  const poolIds = trx.selectFrom('pool').select('id').where('load_balancer_id', '=', lbId);
  await trx
    .updateTable('member')
    .set({ provisioning_status: to, updated_at: ts })
    .where('pool_id', 'in', poolIds)
    .where('provisioning_status', 'in', from)
    .execute();
  await trx
    .updateTable('health_monitor')
    .set((eb) => ({
      provisioning_status: to,
      updated_at: ts,
      ...(to === 'ACTIVE'
        ? {
            operating_status: eb
              .case()
              .when('enabled', '=', 1)
              .then('ONLINE' as const)
              .else('OFFLINE' as const)
              .end(),
          }
        : {}),
    }))
    .where('pool_id', 'in', poolIds)
    .where('provisioning_status', 'in', from)
    .execute();
  for (const table of ['pool', 'listener'] as const) {
    await trx
      .updateTable(table)
      .set({ provisioning_status: to, updated_at: ts })
      .where('load_balancer_id', '=', lbId)
      .where('provisioning_status', 'in', from)
      .execute();
  }
  await trx
    .updateTable('load_balancer')
    .set({ provisioning_status: to, updated_at: ts })
    .where('id', '=', lbId)
    .execute();
}

/**
 * After delete_lb: remove the load balancer, its children, its VIP and SNAT ports (ports
 * whose device is the load balancer) and its VRRP group. Amphora rows and their ports are the
 * worker's to remove.
 */
export async function deleteLoadBalancerRows(db: Db, lbId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const poolIds = trx.selectFrom('pool').select('id').where('load_balancer_id', '=', lbId);
    await trx.deleteFrom('member').where('pool_id', 'in', poolIds).execute();
    await trx.deleteFrom('health_monitor').where('pool_id', 'in', poolIds).execute();
    await deleteL7OfLoadBalancer(trx, lbId);
    await trx.deleteFrom('listener').where('load_balancer_id', '=', lbId).execute();
    await trx.deleteFrom('pool').where('load_balancer_id', '=', lbId).execute();
    await trx.deleteFrom('port').where('device_id', '=', lbId).execute();
    await trx.deleteFrom('vrrp_group').where('load_balancer_id', '=', lbId).execute();
    await trx.deleteFrom('load_balancer').where('id', '=', lbId).execute();
  });
}

export interface OperatingStatuses {
  loadBalancer?: { id: string; status: OperatingStatus };
  listeners?: Record<string, OperatingStatus>;
  pools?: Record<string, OperatingStatus>;
  members?: Record<string, OperatingStatus>;
}

/** Observed statuses (from heartbeats). Unknown ids are ignored; no provisioning change. */
export async function setOperatingStatuses(db: Db, s: OperatingStatuses): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (s.loadBalancer) {
      await trx
        .updateTable('load_balancer')
        .set({ operating_status: s.loadBalancer.status })
        .where('id', '=', s.loadBalancer.id)
        .execute();
    }
    const groups = [
      ['listener', s.listeners],
      ['pool', s.pools],
      ['member', s.members],
    ] as const;
    for (const [table, statuses] of groups) {
      for (const [id, status] of Object.entries(statuses ?? {})) {
        await trx.updateTable(table).set({ operating_status: status }).where('id', '=', id).execute();
      }
    }
  });
}
