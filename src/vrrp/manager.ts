// The agent's keepalived (ACTIVE_STANDBY): apply() renders keepalived.conf from the
// config's Vrrp, checks it with `keepalived -t`, swaps it atomically and starts keepalived
// or reloads it (SIGHUP) when it changed; a config without Vrrp stops it. Every second the
// agent's verdict on its own data plane goes to the serving file that keepalived's check
// script reads. release() is the planned failover of ReleaseMastership.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../agent/log.js';
import { errorFields, silentLogger } from '../agent/log.js';
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { FloatingAddress__Output } from '../grpc/gen/velox/agent/v1/FloatingAddress.js';
import { KeepalivedError, KeepalivedNotInstalledError } from './errors.js';
import { dropAddresses, heldAddresses, setVrrpSysctls } from './host.js';
import { checkScript, keepalivedPaths, notifyScript, type KeepalivedPaths } from './paths.js';
import { KeepalivedProcess } from './process.js';
import { renderKeepalived } from './render.js';

export { KeepalivedError, KeepalivedNotInstalledError } from './errors.js';

const run = promisify(execFile);
const SERVING_EVERY_MS = 1000;
const RELEASE_MS = 15_000;

/** keepalived's state as the agent reports it; '' when it is not running (or no VRRP). */
export type VrrpState = '' | 'MASTER' | 'BACKUP' | 'FAULT';

/** Why the data plane is not serving, or null when it is. */
export type ServingCheck = () => Promise<string | null>;

export interface KeepalivedManagerOptions {
  runDir: string; // e.g. <stateDir>/keepalived, created 0700
  keepalivedBin?: string;
  log?: Logger;
}

export class KeepalivedManager {
  private readonly paths: KeepalivedPaths;
  private readonly bin: string;
  private readonly log: Logger;
  private readonly process: KeepalivedProcess;
  private queue: Promise<unknown> = Promise.resolve();
  private floating: FloatingAddress__Output[] = [];
  private liveText: string | undefined;
  private serving: ServingCheck = async () => 'the agent has not said';
  private servingTimer: NodeJS.Timeout | undefined;
  private lastVerdict = '';
  private lastState: VrrpState = '';

  constructor(opts: KeepalivedManagerOptions) {
    this.paths = keepalivedPaths(opts.runDir);
    this.bin = opts.keepalivedBin ?? 'keepalived';
    this.log = opts.log ?? silentLogger;
    this.process = new KeepalivedProcess(this.bin, this.paths, this.log, () => this.dropStale());
  }

  /** The agent's check of its own data plane, written to the serving file every second. */
  watchServing(check: ServingCheck): void {
    this.serving = check;
  }

  /** Kernel settings VRRP needs, before HAProxy binds the VIP (which the BACKUP lacks). */
  async prepare(config: AmphoraConfig__Output): Promise<void> {
    if (config.vrrp) await setVrrpSysctls();
  }

  /** Make keepalived match `config.vrrp` (absent: stopped). Restarts it after release(). */
  apply(config: AmphoraConfig__Output): Promise<void> {
    return this.serialize(() => this.applyNow(config));
  }

  private async applyNow(config: AmphoraConfig__Output): Promise<void> {
    const vrrp = config.vrrp;
    if (!vrrp) {
      if (this.process.running || this.liveText !== undefined) {
        await this.stopNow();
        this.log.info('keepalived_removed');
      }
      return;
    }
    await mkdir(this.paths.runDir, { recursive: true, mode: 0o700 });
    await chmod(this.paths.runDir, 0o700);
    await writeFile(this.paths.checkScript, checkScript(this.paths), { mode: 0o700 });
    await writeFile(this.paths.notifyScript, notifyScript(this.paths), { mode: 0o700 });
    this.startServing();
    await this.writeServing();
    const text = renderKeepalived(vrrp, this.paths, config.amphora_id);
    const changed = text !== this.liveText || !this.process.running;
    if (changed) await this.swapConfig(text);
    this.floating = vrrp.floating;
    const how = await this.process.start();
    if (how !== 'started' && text !== this.liveText) this.process.reload();
    this.liveText = text;
    this.log.info('keepalived_applied', { version: config.version, how, pid: this.process.mainPid });
  }

  /** Checked with `keepalived -t` before it replaces the live file (atomic rename). */
  private async swapConfig(text: string): Promise<void> {
    const next = join(this.paths.runDir, 'keepalived.conf.next');
    await writeFile(next, text, { mode: 0o600 });
    try {
      await run(this.bin, ['-t', '-f', next]);
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
      await rm(next, { force: true });
      if (e.code === 'ENOENT' || e.code === 'EACCES') throw new KeepalivedNotInstalledError(this.bin);
      throw new KeepalivedError(
        'keepalived refused the rendered configuration',
        `${e.stdout ?? ''}${e.stderr ?? ''}`.trim(),
      );
    }
    await rename(next, this.paths.config);
  }

  /** keepalived's state from its notifications; '' when it is not running. */
  async state(): Promise<VrrpState> {
    if (!this.process.running) return '';
    let text = '';
    try {
      text = (await readFile(this.paths.stateFile, 'utf8')).trim();
    } catch {
      // not notified yet: keepalived starts every instance as BACKUP (the rendered state)
    }
    const state: VrrpState = text === 'MASTER' || text === 'FAULT' ? text : 'BACKUP';
    if (state !== this.lastState) this.log.info('vrrp_state', { state, previous: this.lastState });
    this.lastState = state;
    return state;
  }

  /**
   * Planned failover: stop keepalived gracefully (the peer takes over at the priority-0
   * advertisement) and resolve once no floating address is left here. keepalived stays
   * stopped until the next apply() with Vrrp (a new config version).
   */
  release(): Promise<VrrpState> {
    return this.serialize(async () => {
      await this.process.stop();
      const deadline = Date.now() + RELEASE_MS;
      let held = await heldAddresses(this.floating);
      while (held.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        held = await heldAddresses(this.floating);
      }
      if (held.length > 0) {
        // keepalived is gone: nothing will remove them but us.
        this.log.warn('vrrp_release_dropping', { addresses: held.map((f) => f.address) });
        await dropAddresses(held);
      }
      this.log.info('vrrp_released');
      return this.state();
    });
  }

  /** Stops keepalived (graceful: the peer takes over) and the serving file. */
  close(): Promise<void> {
    return this.serialize(() => this.stopNow());
  }

  private async stopNow(): Promise<void> {
    await this.process.stop();
    if (this.servingTimer) clearInterval(this.servingTimer);
    this.servingTimer = undefined;
    this.liveText = undefined;
    await rm(this.paths.servingFile, { force: true });
  }

  private async dropStale(): Promise<void> {
    const held = await heldAddresses(this.floating).catch(() => []);
    if (held.length === 0) return;
    this.log.warn('vrrp_stale_addresses', { addresses: held.map((f) => f.address) });
    await dropAddresses(held);
  }

  private startServing(): void {
    if (this.servingTimer) return;
    this.servingTimer = setInterval(() => void this.writeServing(), SERVING_EVERY_MS);
    this.servingTimer.unref();
  }

  private async writeServing(): Promise<void> {
    try {
      const problem = await this.serving();
      const now = Math.floor(Date.now() / 1000);
      const line = problem === null ? `ok ${now}` : `fail ${now} ${problem.replace(/\s+/g, '_')}`;
      const tmp = `${this.paths.servingFile}.tmp`;
      await writeFile(tmp, `${line}\n`);
      await rename(tmp, this.paths.servingFile);
      const verdict = problem ?? 'ok';
      if (verdict !== this.lastVerdict) this.log.info('vrrp_serving', { verdict });
      this.lastVerdict = verdict;
      void this.state();
    } catch (err) {
      this.log.error('vrrp_serving_write_failed', errorFields(err));
    }
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }
}
