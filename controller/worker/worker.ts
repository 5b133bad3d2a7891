// The worker loop: claim a job under a lease, run its flow, record the outcome; poll
// every worker.pollMs when idle. Jobs live in the database, so a restarted controller
// resumes them: pending ones are claimed as usual, its own running ones are released
// at start, and other controllers' running ones once their lease expires.
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { now } from '../db/database.js';
import { claimJob, finishJob, renewLease } from '../db/worker-repo.js';
import type { WorkerDeps } from './flow-context.js';
import { runJobFlow } from './flows.js';

export class Worker {
  /** Stable across restarts of the same controller, so it can take its own jobs back. */
  readonly owner: string;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: AbortController | undefined;

  constructor(private readonly deps: WorkerDeps) {
    this.owner = `${hostname()}:${deps.config.stateDir}`;
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
  }

  /** Finishes the job in progress (if any), then stops polling. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.abort();
    await this.running;
    this.running = undefined;
  }

  /** Ends the idle wait so a job just written is claimed at once. */
  poke(): void {
    this.wake?.abort();
  }

  /** Jobs this controller held when it stopped (crash) are free to claim again. */
  async releaseOwnJobs(): Promise<number> {
    const r = await this.deps.db
      .updateTable('job')
      .set({ state: 'pending', lease_owner: null, lease_until: null, updated_at: now() })
      .where('state', '=', 'running')
      .where('lease_owner', '=', this.owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Claims and runs one job; false when there was none. */
  async runOnce(): Promise<boolean> {
    const { db, config, log } = this.deps;
    const job = await claimJob(db, this.owner, config.worker.leaseMs);
    if (!job) return false;
    const about = job.amphora_id ? ` amphora ${job.amphora_id}${job.reason ? ` (${job.reason})` : ''}` : '';
    log.info(`job ${job.id}: ${job.kind} ${job.load_balancer_id}${about} (attempt ${job.attempts})`);
    const renew = setInterval(
      () => void renewLease(db, job.id, this.owner, config.worker.leaseMs).catch(() => undefined),
      Math.max(1000, config.worker.leaseMs / 3),
    );
    try {
      await runJobFlow(this.deps, job.kind, job.load_balancer_id, job.amphora_id);
      await finishJob(db, job.id);
      log.info(`job ${job.id}: done`);
    } catch (err) {
      await finishJob(db, job.id, err instanceof Error ? err.message : String(err));
      log.error(`job ${job.id}: failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearInterval(renew);
    }
    return true;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let worked = false;
      try {
        worked = await this.runOnce();
      } catch (err) {
        this.deps.log.error(`worker: ${String(err)}`);
      }
      if (worked || this.stopping) continue;
      this.wake = new AbortController();
      await sleep(this.deps.config.worker.pollMs, undefined, { signal: this.wake.signal }).catch(
        () => undefined,
      );
    }
  }
}
