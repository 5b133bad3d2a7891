// The agent's one piece of state: which config version is applied. Applies are
// serialized; the same version is a no-op; an older one is refused; an invalid one is
// refused before anything is touched. Beside the XDP data plane it drives the member
// health checker (a member whose checks fail leaves the ring: the maps are recompiled
// without a new version), HAProxy, which serves the listeners the fast path cannot, and
// keepalived (ACTIVE_STANDBY), which moves the floating addresses while this agent serves.
import { ConfigError } from '../config/config-error.js';
import { validateAmphoraConfig } from '../config/validate.js';
import type { Compiled, MemberHealth } from '../dataplane/compiler.js';
import type { ApplyOptions, DataplaneDriver } from '../dataplane/driver.js';
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import { errorFields, type Logger } from './log.js';
import { objectReports, type StatusReport } from './report.js';
import type { HealthChecker, Proxy, ProxyStatus, Vrrp, VrrpState } from './services.js';

export type { ObjectReport, StatusReport } from './report.js';

/** The config is older than the applied one. */
export class StaleVersionError extends Error {
  override readonly name = 'StaleVersionError';
}

export interface ApplyResult {
  appliedVersion: bigint;
  unchanged: boolean;
}

export interface AgentServices {
  health?: HealthChecker;
  haproxy?: Proxy;
  vrrp?: Vrrp;
}

/** ReleaseMastership on an agent that runs no keepalived. */
export class NoVrrpError extends Error {
  override readonly name = 'NoVrrpError';
}

export class Agent {
  private applied: { version: bigint; config: AmphoraConfig__Output; compiled: Compiled } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private recompileQueued = false;
  private proxyUnreadable = false;
  private readonly health: HealthChecker | undefined;
  private readonly haproxy: Proxy | undefined;
  private readonly vrrp: Vrrp | undefined;
  private readonly memberHealth: MemberHealth;

  constructor(
    private readonly dataplane: DataplaneDriver,
    private readonly log: Logger,
    private readonly amphoraId = '',
    services: AgentServices = {},
  ) {
    this.health = services.health;
    this.haproxy = services.haproxy;
    this.vrrp = services.vrrp;
    this.vrrp?.watchServing(() => this.servingProblem());
    const health = this.health;
    this.memberHealth = health ? (id) => health.status(id) : () => undefined;
    health?.onChange((changed) => this.healthChanged(changed.length));
  }

  get appliedVersion(): bigint {
    return this.applied?.version ?? 0n;
  }

  get config(): AmphoraConfig__Output | null {
    return this.applied?.config ?? null;
  }

  /** What the last apply (or health recompile) compiled; null before the first. */
  get compiled(): Compiled | null {
    return this.applied?.compiled ?? null;
  }

  /** Serialized: a second Apply waits for the first to finish. */
  apply(config: AmphoraConfig__Output): Promise<ApplyResult> {
    return this.enqueue(() => this.applyNow(config));
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(config: AmphoraConfig__Output): Promise<ApplyResult> {
    validateAmphoraConfig(config);
    if (this.amphoraId && config.amphora_id !== this.amphoraId) {
      throw new ConfigError('amphora_id', `this is amphora ${this.amphoraId}, not ${config.amphora_id}`);
    }
    const version = BigInt(config.version);
    const current = this.appliedVersion;
    if (this.applied && version === current) return { appliedVersion: current, unchanged: true };
    if (version < current) {
      throw new StaleVersionError(`config version ${version} is older than the applied version ${current}`);
    }
    try {
      if (config.vrrp && !this.vrrp) throw new NoVrrpError('this agent runs no keepalived (vrrp given)');
      await this.vrrp?.prepare(config);
      const compiled = await this.dataplane.apply(config, this.compileOptions());
      // After the maps: HAProxy takes over a listener only once XDP stopped serving it.
      if (this.haproxy) await this.haproxy.apply(config, compiled.haproxyListeners);
      else if (compiled.haproxyListeners.length > 0) {
        this.log.error('haproxy-unavailable', { listeners: compiled.haproxyListeners });
      }
      this.applied = { version, config, compiled };
      // Last: keepalived may make this amphora MASTER only once it serves the config.
      await this.vrrp?.apply(config);
      this.updateHealthChecks(config, compiled);
      for (const p of compiled.problems) this.log.warn('config-problem', { version, ...p });
      this.log.info('applied', { version, listeners: config.listeners.length, pools: config.pools.length });
      return { appliedVersion: version, unchanged: false };
    } catch (err) {
      this.log.error('apply-failed', { version, ...errorFields(err) });
      throw err;
    }
  }

  /** Listeners of the protocols HAProxy renders (HTTP, ...) are routed to it. */
  private compileOptions(): ApplyOptions {
    return { health: this.memberHealth, haproxyProtocols: this.haproxy?.l7Protocols ?? [] };
  }

  /** The checker probes the members of fast-path pools; HAProxy checks its own. */
  private updateHealthChecks(config: AmphoraConfig__Output, compiled: Compiled): void {
    if (!this.health) return;
    const fastPath = new Set(compiled.pools.filter((p) => p.servedBy === 'xdp').map((p) => p.id));
    this.health.update(config.pools.filter((p) => fastPath.has(p.id)));
  }

  /** Members changed health: recompile the applied config (rings, statuses), once per burst. */
  private healthChanged(count: number): void {
    if (this.recompileQueued) return;
    this.recompileQueued = true;
    void this.enqueue(async () => {
      this.recompileQueued = false;
      const applied = this.applied;
      if (!applied) return;
      const compiled = await this.dataplane.apply(applied.config, this.compileOptions());
      this.applied = { ...applied, compiled };
      const out = compiled.members.filter((m) => m.servedBy === 'xdp' && m.status === 'ERROR');
      this.log.info('health-recompiled', { changed: count, members_in_error: out.map((m) => m.id) });
    }).catch((err: unknown) => this.log.error('health-recompile-failed', errorFields(err)));
  }

  async status(): Promise<StatusReport> {
    const applied = this.applied;
    const traffic = this.dataplane.traffic();
    const report: StatusReport = {
      amphoraId: applied?.config.amphora_id || this.amphoraId,
      appliedVersion: this.appliedVersion,
      loadbalancerId: applied?.config.loadbalancer_id ?? '',
      interfaces: this.dataplane.interfaces(),
      listeners: [],
      pools: [],
      members: [],
      exits: traffic.exits,
      vrrpState: (await this.vrrp?.state()) ?? '',
    };
    if (!applied) return report;
    const proxy = await this.proxyStatus();
    return { ...report, ...objectReports({ compiled: applied.compiled, traffic, proxy }) };
  }

  /**
   * Why this amphora would not serve as MASTER (keepalived's check fails on it), or null:
   * no config yet, an interface without XDP, HAProxy down while listeners are routed to it.
   */
  private async servingProblem(): Promise<string | null> {
    const applied = this.applied;
    if (!applied) return 'no config applied';
    const attached = new Set(
      this.dataplane
        .interfaces()
        .filter((i) => i.xdp_mode !== 'none')
        .map((i) => i.name),
    );
    const missing = applied.config.interfaces.filter((i) => !attached.has(i.name)).map((i) => i.name);
    if (missing.length > 0) return `XDP not attached on ${missing.join(',')}`;
    if (applied.compiled.haproxyListeners.length > 0 && !this.haproxy?.running) return 'HAProxy not running';
    return null;
  }

  /** Planned failover (ReleaseMastership): keepalived stops until the next config version. */
  releaseMastership(): Promise<VrrpState> {
    const vrrp = this.vrrp;
    if (!vrrp || !this.applied?.config.vrrp) {
      return Promise.reject(new NoVrrpError('this amphora runs no VRRP (its config has no vrrp)'));
    }
    return this.enqueue(() => vrrp.release());
  }

  /** HAProxy's view; null (its listeners are not known to be served) when it cannot be read. */
  private async proxyStatus(): Promise<ProxyStatus | null> {
    if (!this.haproxy) return null;
    try {
      const status = await this.haproxy.status();
      if (this.proxyUnreadable) this.log.info('haproxy-status-readable');
      this.proxyUnreadable = false;
      return status;
    } catch (err) {
      if (!this.proxyUnreadable) this.log.warn('haproxy-status-unreadable', errorFields(err));
      this.proxyUnreadable = true;
      return null;
    }
  }

  /**
   * Stops the health checks. Like the pinned XDP data plane, HAProxy keeps serving for the
   * next agent to adopt, unless `cleanup`, which stops it and removes the data plane.
   */
  close(cleanup: boolean): Promise<void> {
    return this.queue.then(async () => {
      await this.health?.close();
      // A stopping agent hands mastership over (its check would fail soon anyway).
      await this.vrrp?.close();
      if (cleanup) await this.haproxy?.close();
      await this.dataplane.close(cleanup);
    });
  }
}
