// The agent's one piece of state: which config version is applied. Applies are
// serialized; the same version is a no-op; an older one is refused; an invalid one is
// refused before anything is touched.
import { ConfigError } from '../config/config-error.js';
import { validateAmphoraConfig } from '../config/validate.js';
import type { Compiled } from '../dataplane/compiler.js';
import { addTraffic, zeroTraffic, type DataplaneDriver, type Traffic } from '../dataplane/driver.js';
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import { errorFields, type Logger } from './log.js';

/** The config is older than the applied one. */
export class StaleVersionError extends Error {
  override readonly name = 'StaleVersionError';
}

export interface ApplyResult {
  appliedVersion: bigint;
  unchanged: boolean;
}

export interface ObjectReport {
  id: string;
  status: string;
  traffic: Traffic;
}

export interface StatusReport {
  amphoraId: string;
  appliedVersion: bigint;
  loadbalancerId: string;
  interfaces: { name: string; xdp_mode: string }[];
  listeners: ObjectReport[];
  pools: (ObjectReport & { members: ObjectReport[] })[];
  members: (ObjectReport & { poolId: string })[];
  exits: { reason: string; packets: bigint; bytes: bigint }[];
}

export class Agent {
  private applied: { version: bigint; config: AmphoraConfig__Output; compiled: Compiled } | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataplane: DataplaneDriver,
    private readonly log: Logger,
    private readonly amphoraId = '',
  ) {}

  get appliedVersion(): bigint {
    return this.applied?.version ?? 0n;
  }

  get config(): AmphoraConfig__Output | null {
    return this.applied?.config ?? null;
  }

  /** Serialized: a second Apply waits for the first to finish. */
  apply(config: AmphoraConfig__Output): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyNow(config));
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
      const compiled = await this.dataplane.apply(config);
      this.applied = { version, config, compiled };
      for (const p of compiled.problems) this.log.warn('not-applied', { version, ...p });
      this.log.info('applied', { version, listeners: config.listeners.length, pools: config.pools.length });
      return { appliedVersion: version, unchanged: false };
    } catch (err) {
      this.log.error('apply-failed', { version, ...errorFields(err) });
      throw err;
    }
  }

  status(): StatusReport {
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
    };
    if (!applied) return report;
    const { compiled } = applied;
    for (const l of compiled.listeners) {
      const t = l.vipId === null ? zeroTraffic() : (traffic.vips.get(l.vipId) ?? zeroTraffic());
      report.listeners.push({ id: l.id, status: l.status, traffic: t });
    }
    for (const m of compiled.members) {
      const t = m.backendId === null ? zeroTraffic() : (traffic.backends.get(m.backendId) ?? zeroTraffic());
      report.members.push({ id: m.id, poolId: m.poolId, status: m.status, traffic: t });
    }
    for (const p of compiled.pools) {
      const members = report.members.filter((m) => m.poolId === p.id);
      const t = members.reduce((sum, m) => addTraffic(sum, m.traffic), zeroTraffic());
      report.pools.push({ id: p.id, status: p.status, traffic: t, members });
    }
    return report;
  }

  close(cleanup: boolean): Promise<void> {
    return this.queue.then(() => this.dataplane.close(cleanup));
  }
}
