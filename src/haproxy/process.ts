// The HAProxy master process: start it (or adopt one a previous agent left running), reload
// it seamlessly, restart it when it dies (bounded), drain it (soft stop: open connections
// finish), stop it with its workers. The master runs in its own process group so it
// outlives an agent killed with SIGKILL, like the XDP program does; the next agent adopts
// it through the pid file and the master CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Logger } from '../agent/log.js';
import { cliCommand } from './cli.js';
import { HaproxyNotInstalledError, HaproxyProcessError } from './errors.js';
import { pollUntil, showProc } from './master-cli.js';
import type { HaproxyPaths } from './paths.js';
import { parseInfoPid } from './stats.js';

const READY_MS = 15_000;
const STOP_MS = 5_000;
const MAX_RESTARTS = 5; // within RESTART_WINDOW_MS, then give up until the next apply
const RESTART_WINDOW_MS = 60_000;
const OUTPUT_LINES = 40;

/** A running process; a zombie (dead, not yet reaped by its parent, e.g. after adoption) is not. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Whether `pid` is an HAProxy process of this config (a pid may have been reused since). */
function runsConfig(pid: number, config: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(config);
  } catch {
    return false;
  }
}

/** Sends `sig`; false if the process is already gone. */
function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

export class HaproxyProcess {
  private child: ChildProcess | undefined;
  private pid: number | undefined;
  private watch: NodeJS.Timeout | undefined; // liveness of an adopted master (not our child)
  private starting: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarts: number[] = [];
  private stopping = false;
  private supervise = false; // restart on unexpected exit: only once a start succeeded
  private readonly output: string[] = [];
  private outputSeq = 0;
  private knownWorkers = new Set<number>();
  private draining = new Set<number>(); // soft-stopped masters, ended by stop() if still there

  constructor(
    private readonly bin: string,
    private readonly paths: HaproxyPaths,
    private readonly log: Logger,
  ) {}

  get running(): boolean {
    return this.pid !== undefined;
  }

  get masterPid(): number | undefined {
    return this.pid;
  }

  /** Starts the master on the current config file, or adopts a running one. Resets the restart budget. */
  async start(): Promise<'started' | 'adopted' | 'running'> {
    this.restarts = [];
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    if (this.starting) await this.starting.catch(() => {});
    if (this.pid !== undefined) return 'running';
    this.supervise = false;
    if (await this.adopt()) {
      this.supervise = true;
      return 'adopted';
    }
    await this.launch();
    this.supervise = true;
    return 'started';
  }

  /** Reloads the config file: new worker, old workers finish their connections. */
  async reload(): Promise<void> {
    if (this.starting) await this.starting.catch(() => {});
    const pid = this.pid;
    if (pid === undefined) throw new HaproxyProcessError('HAProxy is not running');
    const before = await showProc(this.paths.masterSocket);
    if (!before) throw new HaproxyProcessError('the HAProxy master CLI does not answer');
    const mark = this.outputSeq;
    for (const w of this.knownWorkers) if (!isAlive(w)) this.knownWorkers.delete(w);
    if (!signal(pid, 'SIGUSR2')) throw new HaproxyProcessError('HAProxy exited before the reload');
    const after = await pollUntil(
      async () => {
        const p = await showProc(this.paths.masterSocket, 300);
        return p && p.reloads > before.reloads ? p : undefined;
      },
      READY_MS,
      () => this.pid !== pid,
    );
    const old = new Set(before.workers.map((w) => w.pid));
    const fresh = after?.workers.find((w) => w.reloads === 0 && !old.has(w.pid));
    if (!after || after.failedReloads > 0 || !fresh) {
      throw new HaproxyProcessError(
        'HAProxy did not load the new configuration; the previous one keeps serving',
        this.outputSince(mark),
      );
    }
    await this.waitServing(fresh.pid, pid);
  }

  /**
   * Soft stop (SIGUSR1): the workers unbind their listeners at once and exit when their
   * connections end, the master exits after its last worker. The master is forgotten (a
   * later start() launches a fresh one) but remembered for stop().
   */
  async drain(): Promise<void> {
    this.supervise = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.starting) await this.starting.catch(() => {});
    if (this.pid === undefined && !(await this.adopt())) return;
    const pid = this.pid!;
    for (const d of this.draining) if (!isAlive(d)) this.draining.delete(d);
    for (const w of this.knownWorkers) if (!isAlive(w)) this.knownWorkers.delete(w);
    await this.collectWorkers();
    this.forget(); // before the signal: its exit is no death to restart from
    if (signal(pid, 'SIGUSR1')) {
      this.draining.add(pid);
      this.log.info('haproxy_draining', { pid });
    }
  }

  /** SIGTERM to the master (which stops its workers), SIGKILL for anything left; draining masters too. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.supervise = false;
    try {
      if (this.restartTimer) clearTimeout(this.restartTimer);
      if (this.starting) await this.starting.catch(() => {});
      // A master a previous agent left running is stopped too, not just forgotten.
      if (this.pid !== undefined || (await this.adopt())) {
        await this.collectWorkers();
        await this.terminate(this.pid!, this.child);
      }
      for (const pid of this.draining) {
        if (isAlive(pid) && runsConfig(pid, this.paths.config)) await this.terminate(pid, undefined);
      }
      this.draining.clear();
      for (const w of this.knownWorkers) {
        if (isAlive(w) && runsConfig(w, this.paths.config)) signal(w, 'SIGKILL');
      }
      await pollUntil(async () => ([...this.knownWorkers].some(isAlive) ? undefined : true), STOP_MS);
      this.knownWorkers.clear();
      this.forget();
    } finally {
      this.stopping = false;
    }
  }

  /** The workers the master CLI lists, for stop() to SIGKILL any a master leaves behind. */
  private async collectWorkers(): Promise<void> {
    const proc = await showProc(this.paths.masterSocket, 1000).catch(() => undefined);
    for (const w of proc?.workers ?? []) this.knownWorkers.add(w.pid);
  }

  private async terminate(pid: number, child: ChildProcess | undefined): Promise<void> {
    if (signal(pid, 'SIGTERM') && !(await waitGone(pid, child, STOP_MS))) {
      this.log.warn('haproxy_kill', { pid, reason: 'master did not stop on SIGTERM' });
      signal(pid, 'SIGKILL');
      await waitGone(pid, child, STOP_MS);
    }
  }

  /** Recent output lines, for error messages. */
  recentOutput(): string {
    return this.output.join('\n');
  }

  private outputSince(seq: number): string {
    return this.output.slice(Math.max(0, this.output.length - (this.outputSeq - seq))).join('\n');
  }

  private forget(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
    this.child = undefined;
    this.pid = undefined;
  }

  private async adopt(): Promise<boolean> {
    let pid: number;
    try {
      pid = Number(readFileSync(this.paths.pidFile, 'utf8').trim());
    } catch {
      return false;
    }
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
    const proc = await showProc(this.paths.masterSocket, 1000).catch(() => undefined);
    if (proc?.masterPid !== pid) return false;
    this.pid = pid;
    this.watch = setInterval(() => {
      if (!isAlive(pid)) this.exited(pid, null, null);
    }, 1000);
    this.watch.unref();
    this.log.info('haproxy_adopted', { pid });
    return true;
  }

  private launch(): Promise<void> {
    const run = this.spawnMaster();
    this.starting = run;
    return run.finally(() => {
      if (this.starting === run) this.starting = undefined;
    });
  }

  private async spawnMaster(): Promise<void> {
    const args = ['-W', '-S', `${this.paths.masterSocket},mode,600`, '-f', this.paths.config];
    const child = spawn(this.bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'ENOENT' || err.code === 'EACCES' ? new HaproxyNotInstalledError(this.bin) : err),
      );
    });
    const pid = child.pid!;
    const mark = this.outputSeq;
    const closed = new Promise((r) => child.once('close', r)); // all of its output read
    this.child = child;
    this.pid = pid;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => this.record(line));
    }
    child.once('exit', (code, signal) => this.exited(pid, code, signal));
    this.log.info('haproxy_started', { pid });
    const proc = await pollUntil(
      async () => (await showProc(this.paths.masterSocket, 300))?.workers.find((w) => w.reloads === 0),
      READY_MS,
      () => this.pid !== pid,
    );
    if (!proc) {
      if (this.pid === pid) signal(pid, 'SIGKILL');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, 1000)))]);
      clearTimeout(timer);
      throw new HaproxyProcessError('HAProxy did not start', this.outputSince(mark));
    }
    await this.waitServing(proc.pid, pid);
  }

  /** Until the admin socket is answered by `worker`: its listeners are bound and it serves. */
  private async waitServing(worker: number, master: number): Promise<void> {
    this.knownWorkers.add(worker);
    const ok = await pollUntil(
      async () =>
        parseInfoPid(await cliCommand(this.paths.adminSocket, 'show info', 1000)) === worker
          ? true
          : undefined,
      READY_MS,
      () => this.pid !== master,
    );
    if (!ok) throw new HaproxyProcessError(`HAProxy worker ${worker} does not answer`, this.recentOutput());
  }

  private record(line: string): void {
    this.output.push(line);
    this.outputSeq++;
    if (this.output.length > OUTPUT_LINES) this.output.shift();
    const level = line.startsWith('[ALERT]') ? 'error' : line.startsWith('[WARNING]') ? 'warn' : 'info';
    this.log[level]('haproxy_output', { line });
  }

  private exited(pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.pid !== pid) return;
    this.forget();
    if (this.stopping || !this.supervise) return;
    this.log.error('haproxy_exited', { pid, code, signal, output: this.recentOutput() });
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      this.log.error('haproxy_restart_gave_up', {
        restarts: this.restarts.length,
        windowMs: RESTART_WINDOW_MS,
      });
      return;
    }
    this.restarts.push(now);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.launch().then(
        () => this.log.info('haproxy_restarted', { pid: this.pid }),
        (err: Error) => this.log.error('haproxy_restart_failed', { error: err.message }),
      );
    }, 200 * this.restarts.length);
  }
}

/** True once `pid` is gone (our child: reaped), false after `ms`. */
async function waitGone(pid: number, child: ChildProcess | undefined, ms: number): Promise<boolean> {
  if (!child) return (await pollUntil(async () => (isAlive(pid) ? undefined : true), ms)) === true;
  if (child.exitCode !== null || child.signalCode !== null) return true;
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    new Promise<boolean>((r) => child.once('exit', () => r(true))),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
  ]);
  clearTimeout(timer);
  return result;
}
