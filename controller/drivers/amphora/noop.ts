// The no-op amphora driver (Octavia's amphorae/drivers/noop_driver): every agent
// "answers" at once, takes any config and reports it applied. Nothing runs and nothing
// sends heartbeats, so operating statuses stay where the API put them (OFFLINE), as
// Octavia's no-op shows them; the controller does not run the stale checker with this
// driver (selection.ts). The last config per amphora is kept, like Octavia's driver
// keeps its call log, so tests and operators can see what the worker built.
import type { AmphoraConfig } from '../../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { AmphoraAgentApi, AmphoraDriver, TlsMaterial } from './types.js';

function versionOf(v: AmphoraConfig['version']): number {
  return v === undefined ? 0 : Number(v.toString());
}

export class NoopAmphoraDriver implements AmphoraDriver {
  private readonly applied = new Map<string, AmphoraConfig>();

  /** The config last applied to the amphora, if any. */
  lastConfig(amphoraId: string): AmphoraConfig | undefined {
    return this.applied.get(amphoraId);
  }

  connect(target: string, _tls: TlsMaterial, amphoraId: string): AmphoraAgentApi {
    const applied = this.applied;
    const current = () => versionOf(applied.get(amphoraId)?.version);
    return {
      target,
      getStatus: () =>
        Promise.resolve({
          amphora_id: amphoraId,
          applied_version: String(current()),
          interfaces: [],
          listeners: [],
          pools: [],
          members: [],
          vrrp_state: '',
        }),
      apply: (config) => {
        const version = versionOf(config.version);
        // As the agent does: an older config never replaces a newer one.
        if (version < current()) {
          return Promise.reject(new Error(`config version ${version} is older than ${current()}`));
        }
        const unchanged = version === current();
        applied.set(amphoraId, config);
        return Promise.resolve({ applied_version: String(version), unchanged });
      },
      close: () => undefined,
    };
  }

  /** Forgets an amphora (its compute was deleted). */
  forget(amphoraId: string): void {
    this.applied.delete(amphoraId);
  }
}
