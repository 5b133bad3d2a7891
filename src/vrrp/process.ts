// The keepalived process of one amphora: start it (or adopt one a previous agent left
// running), reload it (SIGHUP), restart it when it dies (bounded), stop it (SIGTERM: it
// sends a priority-0 advertisement and removes its addresses, so the peer takes over at
// once). It runs in its own process group with its log in a file, so it outlives an agent
// killed with SIGKILL; its check script then sees the agent's serving file go stale and
// gives up mastership. The next agent adopts it through the pid file.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Logger } from '../agent/log.js';
import { isAlive } from '../haproxy/process.js';
import { KeepalivedError, KeepalivedNotInstalledError } from './errors.js';
import type { KeepalivedPaths } from './paths.js';

const READY_MS = 10_000;
const STOP_MS = 10_000;
const MAX_RESTARTS = 5; // within RESTART_WINDOW_MS, then give up until the next apply
const RESTART_WINDOW_MS = 60_000;
const LOG_TAIL = 4000;

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a keepalived of this config file (a pid may have been reused since). */
function runsConfig(pid: number, config: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(config);
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(50);
  }
  return check();
}

export class KeepalivedProcess {
  private pid: number | undefined;
  private child: ChildProcess | undefined;
  private watch: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarts: number[] = [];
  private supervise = false;

  /** `beforeLaunch`: runs before every fresh start (not an adoption), e.g. to clear stale addresses. */
  constructor(
    private readonly bin: string,
    private readonly paths: KeepalivedPaths,
    private readonly log: Logger,
    private readonly beforeLaunch: () => Promise<void> = async () => {},
  ) {}

  get running(): boolean {
    return this.pid !== undefined;
  }

  get mainPid(): number | undefined {
    return this.pid;
  }

  /** Starts keepalived on the current config file, or adopts a running one; resets the restart budget. */
  async start(): Promise<'started' | 'adopted' | 'running'> {
    this.restarts = [];
    this.clearRestart();
    if (this.pid !== undefined) return 'running';
    if (this.adopt()) {
      this.supervise = true;
      return 'adopted';
    }
    await this.launch();
    this.supervise = true;
    return 'started';
  }

  /** SIGHUP: keepalived rereads its config; an instance keeps its state (MASTER stays MASTER). */
  reload(): void {
    const pid = this.pid;
    if (pid === undefined || !signal(pid, 'SIGHUP')) throw new KeepalivedError('keepalived is not running');
    this.log.info('keepalived_reloaded', { pid });
  }

  /** SIGTERM (graceful: priority 0 advertised, addresses removed), SIGKILL if it does not exit. */
  async stop(): Promise<void> {
    this.supervise = false;
    this.clearRestart();
    if (this.pid === undefined) this.adopt();
    const pid = this.pid;
    const vrrpChild = readPid(this.paths.vrrpPidFile);
    this.forget();
    if (pid === undefined) return;
    if (signal(pid, 'SIGTERM') && !(await waitUntil(() => !isAlive(pid), STOP_MS))) {
      this.log.warn('keepalived_kill', { pid, reason: 'did not stop on SIGTERM' });
      signal(pid, 'SIGKILL');
      await waitUntil(() => !isAlive(pid), STOP_MS);
    }
    // The VRRP child normally exits with its parent; never leave one advertising.
    if (vrrpChild !== undefined && isAlive(vrrpChild) && runsConfig(vrrpChild, this.paths.config)) {
      signal(vrrpChild, 'SIGKILL');
      await waitUntil(() => !isAlive(vrrpChild), STOP_MS);
    }
    this.log.info('keepalived_stopped', { pid });
  }

  /** The end of keepalived's log file, for error messages. */
  recentOutput(): string {
    try {
      const text = readFileSync(this.paths.logFile, 'utf8');
      return text.slice(-LOG_TAIL);
    } catch {
      return '';
    }
  }

  private clearRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  private forget(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
    this.child = undefined;
    this.pid = undefined;
  }

  private adopt(): boolean {
    const pid = readPid(this.paths.pidFile);
    if (pid === undefined || !isAlive(pid) || !runsConfig(pid, this.paths.config)) return false;
    this.pid = pid;
    this.watch = setInterval(() => {
      if (!isAlive(pid)) this.exited(pid, null, null);
    }, 1000);
    this.watch.unref();
    this.log.info('keepalived_adopted', { pid });
    return true;
  }

  private async launch(): Promise<void> {
    const args = [
      '--dont-fork',
      '--log-console',
      '--log-detail',
      '--no-syslog',
      '--vrrp',
      '-f',
      this.paths.config,
      '-p',
      this.paths.pidFile,
      '-r',
      this.paths.vrrpPidFile,
    ];
    await this.beforeLaunch();
    // Its log goes to a file, not a pipe to the agent: it must outlive the agent.
    const out = openSync(this.paths.logFile, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(this.bin, args, { stdio: ['ignore', out, out], detached: true });
    } finally {
      closeSync(out);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'ENOENT' || err.code === 'EACCES' ? new KeepalivedNotInstalledError(this.bin) : err,
        ),
      );
    });
    const pid = child.pid!;
    this.child = child;
    this.pid = pid;
    child.once('exit', (code, sig) => this.exited(pid, code, sig));
    child.unref();
    this.log.info('keepalived_started', { pid });
    // Ready once its VRRP child runs (it has read the config and opened its sockets).
    const ready = await waitUntil(() => {
      const vrrp = readPid(this.paths.vrrpPidFile);
      return this.pid !== pid || (vrrp !== undefined && vrrp !== pid && isAlive(vrrp));
    }, READY_MS);
    if (!ready || this.pid !== pid) {
      if (this.pid === pid) {
        signal(pid, 'SIGKILL');
        this.forget();
      }
      throw new KeepalivedError('keepalived did not start', this.recentOutput());
    }
  }

  private exited(pid: number, code: number | null, sig: NodeJS.Signals | null): void {
    if (this.pid !== pid) return;
    this.forget();
    if (!this.supervise) return;
    this.log.error('keepalived_exited', { pid, code, signal: sig, output: this.recentOutput().slice(-1000) });
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      this.log.error('keepalived_restart_gave_up', {
        restarts: this.restarts.length,
        windowMs: RESTART_WINDOW_MS,
      });
      return;
    }
    this.restarts.push(now);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.launch().then(
        () => this.log.info('keepalived_restarted', { pid: this.pid }),
        (err: Error) => this.log.error('keepalived_restart_failed', { error: err.message }),
      );
    }, 200 * this.restarts.length);
  }
}
