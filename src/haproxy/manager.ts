// The agent's HAProxy: serves the listeners the XDP fast path cannot, in TCP mode, and
// HTTP and TERMINATED_HTTPS listeners with their L7 policies. apply() renders, validates with `haproxy -c`, swaps the
// file atomically and starts or seamlessly reloads the master; status() reads the runtime
// stats. Applies are serialized; a failed one leaves the previous configuration serving.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Logger } from '../agent/log.js';
import { silentLogger } from '../agent/log.js';
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import { cliCommand } from './cli.js';
import { CounterTotals, type Counters } from './counters.js';
import { HaproxyConfigError, HaproxyNotInstalledError, HaproxyProcessError } from './errors.js';
import { haproxyPaths, PING_SCRIPT, type HaproxyPaths } from './paths.js';
import { HaproxyProcess } from './process.js';
import {
  DEFAULT_MAXCONN,
  L7_LISTENER_PROTOCOLS,
  L7_LISTENER_PROTOCOLS_WITH_METRICS,
  renderHaproxy,
  selectListeners,
} from './render.js';
import type { TlsFile } from './tls-files.js';
import {
  NOTHING_SERVED,
  servedObjects,
  statusFromStats,
  statusNotRunning,
  type HaproxyStatus,
  type Served,
} from './served.js';
import { runtimeCommands } from './runtime-update.js';
import { EMPTY_SERVER_STATE, serverStateForReload } from './server-state.js';
import { parseInfoPid, parseShowStat } from './stats.js';

export type { HaproxyObjectStatus } from './stats.js';
export type { HaproxyStatus } from './served.js';
export {
  HaproxyConfigError,
  HaproxyNotInstalledError,
  HaproxyProcessError,
  HaproxyUnsupportedError,
} from './errors.js';

export interface HaproxyManagerOptions {
  runDir: string; // e.g. <stateDir>/haproxy, created 0700
  haproxyBin?: string;
  log?: Logger;
  /** The agent's metrics server, "HOST:PORT": PROMETHEUS listeners are served only with it. */
  metricsListen?: string;
}

const CHECK_TIMEOUT_MS = 30_000;

/** Global maxconn: Octavia's 50000, or what the open-file limit allows (HAProxy needs ~2 fds per connection). */
function maxconnForFdLimit(): number {
  try {
    const line = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const hard = Number(line?.[1]);
    if (!Number.isFinite(hard)) return DEFAULT_MAXCONN;
    return Math.max(100, Math.min(DEFAULT_MAXCONN, Math.floor((hard - 1000) / 2)));
  } catch {
    return DEFAULT_MAXCONN;
  }
}

export class HaproxyManager {
  /** Listener protocols besides TCP/HTTPS it serves: the agent routes them here. */
  readonly l7Protocols: readonly string[];
  private readonly metricsListen: string | undefined;
  private readonly paths: HaproxyPaths;
  private readonly bin: string;
  private readonly log: Logger;
  private readonly process: HaproxyProcess;
  private readonly totals = new CounterTotals();
  private lastTotals = new Map<string, Counters>();
  private queue: Promise<unknown> = Promise.resolve();
  private liveText: string | undefined; // what the running master was last given
  private served: Served = NOTHING_SERVED;
  private closed = false;

  constructor(opts: HaproxyManagerOptions) {
    this.paths = haproxyPaths(opts.runDir);
    this.bin = opts.haproxyBin ?? 'haproxy';
    this.log = opts.log ?? silentLogger;
    this.process = new HaproxyProcess(this.bin, this.paths, this.log);
    this.metricsListen = opts.metricsListen;
    this.l7Protocols = opts.metricsListen ? L7_LISTENER_PROTOCOLS_WITH_METRICS : L7_LISTENER_PROTOCOLS;
  }

  /**
   * Serve exactly these listeners (ids from config.listeners) with HAProxy. [] drains it: the
   * listeners close at once, open connections finish (e.g. of a listener that moved to XDP).
   */
  apply(config: AmphoraConfig__Output, listenerIds: string[]): Promise<void> {
    return this.serialize(() => this.applyNow(config, listenerIds));
  }

  /** Whether the master process runs. */
  get running(): boolean {
    return this.process.running;
  }

  /** Per listener, pool and member, from the runtime API (`show stat`). */
  async status(): Promise<HaproxyStatus> {
    const served = this.served;
    if (served.listeners.length === 0) return { listeners: [], pools: [], members: [] };
    if (!this.process.running) return statusNotRunning(served, this.lastTotals);
    const rows = await this.readStats();
    return statusFromStats(served, rows, this.lastTotals);
  }

  /** Stops the master and its workers (a draining one too) and removes the sockets. */
  close(): Promise<void> {
    return this.serialize(async () => {
      this.closed = true;
      await this.process.stop();
      await this.forgetMaster();
    });
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }

  private async applyNow(config: AmphoraConfig__Output, listenerIds: string[]): Promise<void> {
    if (this.closed) throw new HaproxyProcessError('the HAProxy manager is closed');
    if (listenerIds.length === 0) {
      await this.process.drain();
      await this.forgetMaster();
      return;
    }
    const { text, files } = renderHaproxy(config, listenerIds, {
      runDir: this.paths.runDir,
      maxconn: maxconnForFdLimit(),
      metricsListen: this.metricsListen,
      serverState: true, // reloadOrRestore() keeps the file
    });
    const served = servedObjects(selectListeners(config, listenerIds));
    if (this.process.running && text === this.liveText) {
      this.served = served;
      return;
    }
    if (await this.updateAtRuntime(text)) {
      this.served = served;
      return;
    }
    await this.prepareRunDir();
    await this.writeTlsFiles(files);
    const candidate = `${this.paths.config}.new`;
    await writeFile(candidate, text, { mode: 0o600 });
    await this.check(candidate);
    const previous = await readFile(this.paths.config, 'utf8').catch(() => undefined);
    if (this.process.running) {
      await this.readStats().catch(() => {}); // counters of the old worker, before they stop growing here
      await rename(candidate, this.paths.config);
      await this.reloadOrRestore(previous, text);
      this.log.info('haproxy_reloaded', { listeners: listenerIds.length });
    } else {
      await rename(candidate, this.paths.config);
      const how = await this.process.start();
      // An adopted master (left by a previous agent) still runs the file as it was.
      if (how === 'adopted' && previous !== text) await this.reloadOrRestore(previous, text);
      this.log.info(`haproxy_${how}`, { listeners: listenerIds.length, pid: this.process.masterPid });
    }
    this.liveText = text;
    this.served = served;
    await this.removeStaleTlsFiles(files);
  }

  /** Key material: 0600 files in a 0700 directory, each written whole before it is named. */
  private async writeTlsFiles(files: TlsFile[]): Promise<void> {
    const dir = this.paths.tlsDir;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    for (const f of files) {
      const file = join(dir, f.name);
      const current = await readFile(file, 'utf8').catch(() => undefined);
      if (current === f.content) continue;
      await writeFile(`${file}.new`, f.content, { mode: 0o600 });
      await rename(`${file}.new`, file);
    }
  }

  /** After a reload: the files no config in use names (the old worker read its own at start). */
  private async removeStaleTlsFiles(files: TlsFile[]): Promise<void> {
    const keep = new Set(files.map((f) => f.name));
    const present = await readdir(this.paths.tlsDir).catch(() => [] as string[]);
    for (const name of present) {
      if (!keep.has(name)) await rm(join(this.paths.tlsDir, name), { force: true });
    }
  }

  /**
   * Only member weights or admin states changed: set them through the runtime API, keep the
   * worker (and its connections, stick tables, counters), and put the new file in place for
   * the next reload. False when a reload is needed, or HAProxy refused a command (the
   * reload then sets everything from the file).
   */
  private async updateAtRuntime(text: string): Promise<boolean> {
    if (!this.process.running || this.liveText === undefined) return false;
    const commands = runtimeCommands(this.liveText, text);
    if (!commands || commands.length === 0) return false;
    let answer: string;
    try {
      answer = await cliCommand(this.paths.adminSocket, commands.join(';'), 3000);
    } catch (err) {
      this.log.warn('haproxy_runtime_update_failed', { error: (err as Error).message });
      return false;
    }
    if (answer.trim() !== '') {
      this.log.warn('haproxy_runtime_update_refused', { answer: answer.trim().slice(0, 500) });
      return false;
    }
    await writeFile(`${this.paths.config}.new`, text, { mode: 0o600 });
    await rename(`${this.paths.config}.new`, this.paths.config);
    this.liveText = text;
    this.log.info('haproxy_runtime_update', { commands: commands.length });
    return true;
  }

  private async reloadOrRestore(previous: string | undefined, next: string): Promise<void> {
    try {
      await this.saveServerState(this.liveText ?? previous, next);
      await this.process.reload();
    } catch (err) {
      // The old worker keeps serving the old file; keep the file on disk saying so.
      if (previous !== undefined) {
        await writeFile(`${this.paths.config}.old`, previous, { mode: 0o600 });
        await rename(`${this.paths.config}.old`, this.paths.config);
      }
      throw err;
    } finally {
      // Loaded by the new worker by now; a later start or restart must not load it stale.
      await this.writeServerState(EMPTY_SERVER_STATE).catch((e: Error) =>
        this.log.warn('haproxy_server_state_not_cleared', { error: e.message }),
      );
    }
  }

  /**
   * Before a reload: what the old worker learnt about its members (health checks), for the
   * new worker to start from instead of starting every member UP.
   */
  private async saveServerState(live: string | undefined, next: string): Promise<void> {
    let state = EMPTY_SERVER_STATE;
    try {
      const dump = await cliCommand(this.paths.adminSocket, 'show servers state', 3000);
      if (live !== undefined) state = serverStateForReload(dump, live, next);
    } catch (err) {
      // As Octavia: reload anyway; the new worker starts its members afresh.
      this.log.warn('haproxy_server_state_not_saved', { error: (err as Error).message });
    }
    await this.writeServerState(state);
  }

  private async writeServerState(state: string): Promise<void> {
    const file = this.paths.serverStateFile;
    if ((await readFile(file, 'utf8').catch(() => undefined)) === state) return;
    await writeFile(`${file}.new`, state, { mode: 0o600 });
    await rename(`${file}.new`, file);
  }

  private async prepareRunDir(): Promise<void> {
    await mkdir(this.paths.runDir, { recursive: true, mode: 0o700 });
    await chmod(this.paths.runDir, 0o700);
    const script = await readFile(this.paths.pingScript, 'utf8').catch(() => '');
    if (script !== PING_SCRIPT) {
      await writeFile(`${this.paths.pingScript}.new`, PING_SCRIPT, { mode: 0o700 });
      await rename(`${this.paths.pingScript}.new`, this.paths.pingScript);
    }
    // Named by the config: present (and empty) so `haproxy -c` and a first start load nothing.
    await this.writeServerState(EMPTY_SERVER_STATE);
  }

  /** `haproxy -c`: HaproxyConfigError with haproxy's own message when it refuses the file. */
  private check(file: string): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(this.bin, ['-c', '-f', file], { timeout: CHECK_TIMEOUT_MS }, (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim();
        if (!err) {
          for (const line of output.split('\n')) {
            if (line.startsWith('[WARNING]')) this.log.warn('haproxy_config_warning', { line });
          }
          resolve();
          return;
        }
        rm(file, { force: true }).catch(() => {});
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES') reject(new HaproxyNotInstalledError(this.bin));
        else reject(new HaproxyConfigError('haproxy -c refused the configuration', '', output));
      });
    });
  }

  private async readStats(): Promise<ReturnType<typeof parseShowStat>> {
    let text: string;
    try {
      text = await cliCommand(this.paths.adminSocket, 'show info;show stat', 3000);
    } catch (err) {
      throw new HaproxyProcessError(`HAProxy stats are not available: ${(err as Error).message}`);
    }
    const rows = parseShowStat(text);
    this.lastTotals = this.totals.observe(parseInfoPid(text), rows);
    return rows;
  }

  /**
   * After a stop or a drain: the files of that master go, so that the next start launches a
   * fresh master (no adoption of a draining one) on fresh sockets.
   */
  private async forgetMaster(): Promise<void> {
    this.liveText = undefined;
    this.served = NOTHING_SERVED;
    const { adminSocket, masterSocket, pidFile, serverStateFile } = this.paths;
    for (const file of [adminSocket, masterSocket, pidFile, serverStateFile]) {
      await rm(file, { force: true });
    }
    // No key material outlives its use (a draining worker has what it needs in memory).
    await rm(this.paths.tlsDir, { recursive: true, force: true });
  }
}
