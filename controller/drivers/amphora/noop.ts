// The no-op amphora driver (Octavia's amphorae/drivers/noop_driver): every agent
// "answers" at once, takes any config and reports it applied. Nothing runs and nothing
// sends heartbeats, so operating statuses stay where the API put them (OFFLINE), as
// Octavia's no-op shows them; the controller does not run the stale checker with this
// driver (selection.ts). The last config per amphora is kept, like Octavia's driver
// keeps its call log, so tests and operators can see what the worker built, and so is
// the log of calls that change something (apply, releaseMastership).
//
// ACTIVE_STANDBY: VRRP state is kept the way keepalived would have it, so the worker's
// failover flows run their real course: an amphora takes its config's initial_role
// when it first gets one (BACKUP if its peer is MASTER already: nopreempt), keeps its
// state across later configs, reports "" once it released mastership, and the peer of
// an amphora that released becomes MASTER after keepalived's skew time,
// (256 - priority) / 256 × advert_int.
import type { AmphoraConfig } from '../../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { AmphoraAgentApi, AmphoraDriver, TlsMaterial } from './types.js';

function versionOf(v: AmphoraConfig['version']): number {
  return v === undefined ? 0 : Number(v.toString());
}

export interface NoopCall {
  amphoraId: string;
  method: 'apply' | 'releaseMastership';
  /** apply: the config's version. */
  version?: number;
}

/** Calls kept at most (oldest dropped first). */
const CALL_LOG_SIZE = 1000;

export class NoopAmphoraDriver implements AmphoraDriver {
  private readonly applied = new Map<string, AmphoraConfig>();
  private readonly vrrpStates = new Map<string, string>();
  private readonly takeovers = new Map<string, NodeJS.Timeout>();
  /** Amphorae whose compute was deleted: their agent no longer answers. */
  private readonly gone = new Set<string>();
  readonly calls: NoopCall[] = [];

  /** The config last applied to the amphora, if any. */
  lastConfig(amphoraId: string): AmphoraConfig | undefined {
    return this.applied.get(amphoraId);
  }

  /** keepalived's state as the amphora would report it ("" without VRRP or once released). */
  vrrpState(amphoraId: string): string {
    return this.vrrpStates.get(amphoraId) ?? '';
  }

  private record(call: NoopCall): void {
    this.calls.push(call);
    if (this.calls.length > CALL_LOG_SIZE) this.calls.shift();
  }

  private applyVrrp(amphoraId: string, config: AmphoraConfig): void {
    const vrrp = config.vrrp;
    if (!vrrp) {
      this.vrrpStates.delete(amphoraId);
      return;
    }
    if (this.vrrpState(amphoraId)) return; // keepalived reloads keep the state
    const peer = vrrp.flow_sync?.peer_amphora_id;
    const peerIsMaster = peer !== undefined && this.vrrpState(peer) === 'MASTER';
    this.vrrpStates.set(amphoraId, vrrp.initial_role === 'MASTER' && !peerIsMaster ? 'MASTER' : 'BACKUP');
  }

  private release(amphoraId: string): void {
    const vrrp = this.applied.get(amphoraId)?.vrrp;
    const wasMaster = this.vrrpState(amphoraId) === 'MASTER';
    this.vrrpStates.set(amphoraId, '');
    const peer = vrrp?.flow_sync?.peer_amphora_id;
    if (!wasMaster || !peer || this.vrrpState(peer) !== 'BACKUP') return;
    const peerVrrp = this.applied.get(peer)?.vrrp;
    const skewMs = (((256 - (peerVrrp?.priority ?? 90)) / 256) * (peerVrrp?.advert_int ?? 1) * 1000) | 0;
    clearTimeout(this.takeovers.get(peer));
    const timer = setTimeout(() => {
      this.takeovers.delete(peer);
      if (this.vrrpState(peer) === 'BACKUP') this.vrrpStates.set(peer, 'MASTER');
    }, skewMs);
    timer.unref();
    this.takeovers.set(peer, timer);
  }

  connect(target: string, _tls: TlsMaterial, amphoraId: string): AmphoraAgentApi {
    const applied = this.applied;
    const current = () => versionOf(applied.get(amphoraId)?.version);
    const dead = () =>
      this.gone.has(amphoraId)
        ? Promise.reject(new Error(`no agent at ${target}: amphora deleted`))
        : undefined;
    return {
      target,
      getStatus: () =>
        dead() ??
        Promise.resolve({
          amphora_id: amphoraId,
          applied_version: String(current()),
          interfaces: [],
          listeners: [],
          pools: [],
          members: [],
          vrrp_state: this.vrrpState(amphoraId),
        }),
      apply: (config) => {
        const down = dead();
        if (down) return down;
        const version = versionOf(config.version);
        // As the agent does: an older config never replaces a newer one.
        if (version < current()) {
          return Promise.reject(new Error(`config version ${version} is older than ${current()}`));
        }
        const unchanged = version === current();
        applied.set(amphoraId, config);
        this.applyVrrp(amphoraId, config);
        this.record({ amphoraId, method: 'apply', version });
        return Promise.resolve({ applied_version: String(version), unchanged });
      },
      releaseMastership: () => {
        this.record({ amphoraId, method: 'releaseMastership' });
        const down = dead();
        if (down) return down;
        if (!applied.get(amphoraId)?.vrrp) {
          return Promise.reject(new Error(`amphora ${amphoraId} runs no VRRP`));
        }
        this.release(amphoraId);
        return Promise.resolve({ vrrp_state: '' });
      },
      close: () => undefined,
    };
  }

  /** Forgets an amphora (its compute was deleted): as keepalived dying, the peer takes over. */
  forget(amphoraId: string): void {
    const peer = this.applied.get(amphoraId)?.vrrp?.flow_sync?.peer_amphora_id;
    if (this.vrrpState(amphoraId) === 'MASTER' && peer && this.vrrpState(peer) === 'BACKUP') {
      this.vrrpStates.set(peer, 'MASTER');
    }
    this.applied.delete(amphoraId);
    this.vrrpStates.delete(amphoraId);
    this.gone.add(amphoraId);
    if (this.gone.size > CALL_LOG_SIZE * 10) this.gone.delete(this.gone.values().next().value!);
    clearTimeout(this.takeovers.get(amphoraId));
    this.takeovers.delete(amphoraId);
  }
}
