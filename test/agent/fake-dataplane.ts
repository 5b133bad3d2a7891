// A data plane that records what it is asked and reports fixed counters, for tests of
// the agent's reporting surfaces (the real data plane has its own tests).
import { compile, type Compiled } from '../../src/dataplane/compiler.js';
import type { DataplaneDriver, TrafficSnapshot } from '../../src/dataplane/driver.js';
import { emptyAllocations, emptyState } from '../../src/dataplane/state.js';
import type {
  AmphoraConfig,
  AmphoraConfig__Output,
} from '../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';

export class RecordingDataplane implements DataplaneDriver {
  applied: string[] = [];
  fail: Error | null = null;
  delayMs = 0;
  inFlight = 0;
  maxInFlight = 0;
  async apply(config: AmphoraConfig__Output): Promise<Compiled> {
    if (this.fail) throw this.fail;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.inFlight--;
    this.applied.push(config.version);
    return compile(config, emptyAllocations(), emptyState());
  }
  interfaces() {
    return [{ name: 'vip0', xdp_mode: 'native' as const }];
  }
  traffic(): TrafficSnapshot {
    const t = {
      packetsIn: 3n,
      bytesIn: 300n,
      packetsOut: 2n,
      bytesOut: 200n,
      connections: 1n,
      active: 4n,
      drops: { CIDR: 5n, NO_FLOW: 1n },
    };
    return {
      vips: new Map([[0, t]]),
      backends: new Map([[0, t]]),
      exits: [{ reason: 'redirect', packets: 7n, bytes: 700n }],
    };
  }
  async close(): Promise<void> {}
}

/** One TCP listener, one pool, member m1 reachable and m2 on no attached network. */
export function sampleConfig(version: number, extra: Partial<AmphoraConfig> = {}): AmphoraConfig {
  return {
    version: String(version),
    amphora_id: 'amp-1',
    loadbalancer_id: 'lb-1',
    interfaces: [
      { name: 'vip0', role: 'VIP', addresses: ['10.201.1.2/24'] },
      { name: 'mem0', role: 'MEMBER', addresses: ['10.201.2.2/24'] },
    ],
    listeners: [
      {
        id: 'l1',
        vip_address: '10.201.1.100',
        protocol: 'TCP',
        protocol_port: 80,
        default_pool_id: 'p1',
        admin_state_up: true,
      },
    ],
    pools: [
      {
        id: 'p1',
        protocol: 'TCP',
        admin_state_up: true,
        members: [
          { id: 'm1', address: '10.201.2.11', protocol_port: 8080, weight: 1, admin_state_up: true },
          { id: 'm2', address: '10.201.99.12', protocol_port: 8080, weight: 1, admin_state_up: true },
        ],
      },
    ],
    ...extra,
  };
}
