// Member health checks run by the agent for fast-path pools, with Octavia's monitor types
// and fields. update() is given the pools; status() answers per member; onChange() tells
// when answers changed. See monitor.ts for the fields, rise-fall.ts for the transitions,
// remembered-health.ts for how probed health survives an agent restart.
import { errorFields, silentLogger, type Logger } from '../../agent/log.js';
import type { Pool__Output } from '../../grpc/gen/velox/agent/v1/Pool.js';
import { Limiter } from './limiter.js';
import { MemberProbe } from './member-probe.js';
import { planForPool, probeKey, probeSpec, type MonitorPlan, type ProbeSpec } from './monitor.js';
import { runProbe } from './probe.js';
import type { ProbeResult } from './probe-result.js';
import {
  HealthMemory,
  initialStatus,
  readRememberedHealth,
  type RememberedHealth,
  type RememberedProbe,
} from './remembered-health.js';
import type { ProbedHealth } from './rise-fall.js';

export { HealthMonitorError } from './errors.js';
export { validateHealthMonitor } from './monitor.js';

export type MemberHealth = 'ONLINE' | 'ERROR' | 'NO_MONITOR';
export type MemberHealthChange = { memberId: string; status: MemberHealth };

export interface MemberHealthCheckerOptions {
  log?: Logger;
  /** Probes in flight at once, all types (default 256). */
  maxConcurrentProbes?: number;
  /** PING probes in flight at once: each is a process (default 32). */
  maxConcurrentPings?: number;
  /**
   * A file (in the agent's state directory) where probed health is kept across restarts:
   * read here, seeding the first update()'s probes; rewritten after changes. None: every
   * member starts ONLINE.
   */
  rememberFile?: string;
  /** Changes within this time are written to rememberFile once (default 100 ms). */
  rememberCoalesceMs?: number;
}

/** A member's current probe, or why it has none (NO_MONITOR). */
interface Tracked {
  readonly key: string;
  readonly probe?: MemberProbe;
}

const NO_PROBE = 'none';

function statusOf(tracked: Tracked): MemberHealth {
  return tracked.probe ? tracked.probe.status : 'NO_MONITOR';
}

export class MemberHealthChecker {
  private readonly log: Logger;
  private readonly probes: Limiter;
  private readonly pings: Limiter;
  private members = new Map<string, Tracked>();
  private readonly listeners: ((changed: MemberHealthChange[]) => void)[] = [];
  private readonly pending = new Map<string, MemberHealth>();
  private flushing: NodeJS.Immediate | undefined;
  private readonly stopping = new Set<Promise<void>>();
  /** What was last logged about each pool's (or member's) monitor, to log it once, not per update. */
  private problems = new Map<string, string>();
  private closed = false;
  /** What the previous agent remembered, until the first update() has used it. */
  private remembered: RememberedHealth;
  private readonly memory: HealthMemory | undefined;
  /** What close() leaves in the file. */
  private final: Map<string, RememberedProbe> | undefined;

  constructor(opts: MemberHealthCheckerOptions = {}) {
    this.log = opts.log ?? silentLogger;
    this.probes = new Limiter(opts.maxConcurrentProbes ?? 256);
    this.pings = new Limiter(opts.maxConcurrentPings ?? 32);
    const file = opts.rememberFile;
    this.remembered = file ? readRememberedHealth(file, this.log) : new Map();
    this.memory = file
      ? new HealthMemory({
          file,
          log: this.log,
          snapshot: () => this.snapshot(),
          coalesceMs: opts.rememberCoalesceMs,
        })
      : undefined;
  }

  /** Start/stop/reschedule probes for the members of these pools. Unchanged probes keep their state and schedule. */
  update(pools: Pool__Output[]): void {
    if (this.closed) {
      this.log.warn('health_checks_update_after_close');
      return;
    }
    const next = new Map<string, Tracked>();
    const problems = new Map<string, string>();
    for (const pool of pools) {
      const plan = this.planFor(pool, problems);
      for (const member of pool.members) {
        if (next.has(member.id)) {
          problems.set(
            `member ${member.id}`,
            `member ${member.id} is in more than one pool; probed for the first`,
          );
          continue;
        }
        let target: ProbeSpec | undefined;
        if ('settings' in plan && member.admin_state_up) {
          try {
            target = probeSpec(plan.settings, member);
          } catch (err) {
            problems.set(`member ${member.id}`, `pool ${pool.id}: ${(err as Error).message}`);
          }
        }
        next.set(member.id, this.track(member.id, target));
      }
    }
    for (const [id, tracked] of this.members) if (!next.has(id)) this.retire(tracked);
    this.members = next;
    if (this.remembered.size > 0) this.logRememberedUse();
    this.remembered = new Map(); // used once: a member added later is a new member
    this.memory?.changed(); // members gone or probes changed: not to be remembered
    for (const [subject, problem] of problems)
      if (this.problems.get(subject) !== problem)
        this.log.warn('health_monitor_not_run', { subject, problem });
    this.problems = problems;
  }

  /**
   * undefined for an unknown member; NO_MONITOR when it is not probed (no monitor, monitor, pool
   * or member admin down, SCTP, invalid). Before the first update(), the remembered status: the
   * first compile of a restarted agent then keeps a member that was ERROR out of the ring
   * (update() corrects it at once, through onChange, if its probe turns out to be another one).
   */
  status(memberId: string): MemberHealth | undefined {
    const tracked = this.members.get(memberId);
    return tracked ? statusOf(tracked) : this.remembered.get(memberId)?.status;
  }

  /** Called once per event-loop turn with the members whose status changed (latest status each). */
  onChange(listener: (changed: MemberHealthChange[]) => void): void {
    this.listeners.push(listener);
  }

  /** Stops every probe (in-flight ones are aborted) and waits for them; no listener is called after. */
  async close(): Promise<void> {
    this.closed = true;
    this.final = this.snapshot(); // the statuses as they are now, for the next agent
    this.memory?.changed(); // written by the flush below unless the file holds it already
    for (const tracked of this.members.values()) this.retire(tracked);
    this.members.clear();
    this.probes.clear();
    this.pings.clear();
    clearImmediate(this.flushing);
    this.pending.clear();
    await Promise.all([...this.stopping, this.memory?.flush()]);
  }

  private planFor(pool: Pool__Output, problems: Map<string, string>): MonitorPlan {
    try {
      const plan = planForPool(pool);
      if ('noMonitor' in plan && plan.unsupported) problems.set(`pool ${pool.id}`, plan.noMonitor);
      return plan;
    } catch (err) {
      const problem = `invalid health monitor: ${(err as Error).message}`;
      problems.set(`pool ${pool.id}`, problem);
      return { noMonitor: problem };
    }
  }

  /**
   * The member's entry: the same one if its probe is unchanged, else a new probe (keeping ERROR).
   * A member new to this process starts as remembered if its probe is the remembered one.
   */
  private track(memberId: string, spec: ProbeSpec | undefined): Tracked {
    const key = spec ? probeKey(spec) : NO_PROBE;
    const old = this.members.get(memberId);
    if (old?.key === key) return old;
    if (old) this.retire(old);
    // What status() has answered so far: the old probe's, or the remembered one.
    const before = old ? statusOf(old) : this.remembered.get(memberId)?.status;
    let tracked: Tracked = { key };
    if (spec) {
      let initial: ProbedHealth = before === 'ERROR' ? 'ERROR' : 'ONLINE'; // a changed probe keeps ERROR
      if (!old) initial = initialStatus(this.remembered, memberId, key); // only for the same probe
      const probe = new MemberProbe(memberId, spec, initial, this.runner, this.onResult);
      probe.start(Math.floor(Math.random() * spec.delayMs));
      tracked = { key, probe };
    }
    if (before !== undefined && before !== statusOf(tracked)) this.queueChange(memberId, statusOf(tracked));
    return tracked;
  }

  private retire(tracked: Tracked): void {
    if (!tracked.probe) return;
    const stopped = tracked.probe.stop();
    this.stopping.add(stopped);
    void stopped.finally(() => this.stopping.delete(stopped));
  }

  private readonly runner = (spec: ProbeSpec, stop: AbortSignal): Promise<ProbeResult | undefined> =>
    this.probes.run(() => {
      if (stop.aborted) return Promise.resolve(undefined);
      return spec.type === 'PING' ? this.pings.run(() => runProbe(spec, stop)) : runProbe(spec, stop);
    });

  private readonly onResult = (probe: MemberProbe, result: ProbeResult, before: ProbedHealth): void => {
    if (this.members.get(probe.memberId)?.probe !== probe || probe.status === before) return;
    const { type, address, port } = probe.spec;
    const fields = { member_id: probe.memberId, type, address, port, status: probe.status };
    if (result.ok) this.log.info('member_health_changed', fields);
    else this.log.warn('member_health_changed', { ...fields, reason: result.reason });
    this.queueChange(probe.memberId, probe.status);
  };

  private queueChange(memberId: string, status: MemberHealth): void {
    this.pending.set(memberId, status);
    this.flushing ??= setImmediate(() => this.flush());
    this.memory?.changed();
  }

  /** The probed members' statuses, to remember: members gone or unprobed are left out. */
  private snapshot(): Map<string, RememberedProbe> {
    if (this.final) return this.final;
    const out = new Map<string, RememberedProbe>();
    for (const [id, { key, probe }] of this.members) if (probe) out.set(id, { status: probe.status, key });
    return out;
  }

  /** One line after a restart: which members start ERROR, how many remembered ones did not apply. */
  private logRememberedUse(): void {
    const inError: string[] = [];
    let notUsed = 0;
    for (const [id, r] of this.remembered) {
      const tracked = this.members.get(id);
      if (tracked?.probe && tracked.key === r.key) {
        if (r.status === 'ERROR') inError.push(id);
      } else notUsed++;
    }
    this.log.info('remembered_health_used', { members_in_error: inError, not_used: notUsed });
  }

  private flush(): void {
    this.flushing = undefined;
    const changed = [...this.pending].map(([memberId, status]) => ({ memberId, status }));
    this.pending.clear();
    for (const listener of this.listeners) {
      try {
        listener(changed);
      } catch (err) {
        this.log.error('health_change_listener_failed', errorFields(err));
      }
    }
  }
}
