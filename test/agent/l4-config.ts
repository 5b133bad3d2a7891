// Amphora configs for the l4-* namespace tests: one TCP and one UDP listener on the lab's
// VIP, each with its own pool of the lab's members, described by what a test varies.
import type { AmphoraConfig } from '../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { HealthMonitor } from '../../src/grpc/gen/velox/agent/v1/HealthMonitor.js';

export const PORT = 8080;
export type L4Proto = 'TCP' | 'UDP';

export interface LabAddresses {
  amphoraId: string;
  vip: string;
  vip6: string;
  vipIface: string[]; // CIDRs of the VIP interface
  memIface: string[]; // CIDRs of the member interface
  members: { name: string; address: string; address6: string }[];
}

export interface MemberChoice {
  name: string;
  weight?: number; // default 1
  backup?: boolean;
  admin_state_up?: boolean; // default true
}

export interface ServiceSpec {
  members: (string | MemberChoice)[];
  algorithm?: 'ROUND_ROBIN' | 'LEAST_CONNECTIONS' | 'SOURCE_IP' | 'SOURCE_IP_PORT'; // default SOURCE_IP_PORT
  persistence?: 'SOURCE_IP';
  monitor?: Partial<HealthMonitor>;
  connectionLimit?: number; // default -1 (unlimited)
  allowedCidrs?: string[];
  protocols?: L4Proto[]; // default both
  family?: 4 | 6; // VIP and member addresses; default 4
  tcpClosingTimeoutMs?: number;
  tcpPoolProtocol?: 'TCP' | 'PROXY' | 'PROXYV2'; // default TCP; PROXY* pools are served by HAProxy
}

/** Member ids: the member's name in the TCP pool, name-udp in the UDP pool. */
export function memberId(name: string, protocol: L4Proto): string {
  return protocol === 'TCP' ? name : `${name}-udp`;
}

export function amphoraConfig(lab: LabAddresses, version: number, spec: ServiceSpec): AmphoraConfig {
  const protocols = spec.protocols ?? ['TCP', 'UDP'];
  const v6 = spec.family === 6;
  const choices = spec.members.map((m) => (typeof m === 'string' ? { name: m } : m));
  const pool = (protocol: L4Proto) => ({
    id: `pool-${protocol.toLowerCase()}`,
    protocol: protocol === 'TCP' ? (spec.tcpPoolProtocol ?? 'TCP') : protocol,
    lb_algorithm: spec.algorithm ?? 'SOURCE_IP_PORT',
    admin_state_up: true,
    session_persistence: spec.persistence ? { type: spec.persistence } : null,
    health_monitor: spec.monitor
      ? {
          id: `hm-${protocol.toLowerCase()}`,
          type: protocol === 'TCP' ? 'TCP' : 'UDP-CONNECT',
          delay: 1,
          timeout: 1,
          max_retries: 1,
          max_retries_down: 1,
          admin_state_up: true,
          ...spec.monitor,
        }
      : null,
    members: choices.map((c) => {
      const m = lab.members.find((x) => x.name === c.name);
      if (!m) throw new Error(`no member ${c.name} in this lab`);
      return {
        id: memberId(c.name, protocol),
        address: v6 ? m.address6 : m.address,
        protocol_port: PORT,
        weight: c.weight ?? 1,
        backup: c.backup ?? false,
        admin_state_up: c.admin_state_up ?? true,
      };
    }),
  });
  return {
    version: String(version),
    amphora_id: lab.amphoraId,
    loadbalancer_id: 'lb-l4',
    interfaces: [
      { name: 'vxlvip0', role: 'VIP', addresses: lab.vipIface },
      { name: 'vxlmem0', role: 'MEMBER', addresses: lab.memIface },
    ],
    listeners: protocols.map((protocol) => ({
      id: `listener-${protocol.toLowerCase()}`,
      vip_address: v6 ? lab.vip6 : lab.vip,
      protocol,
      protocol_port: PORT,
      default_pool_id: `pool-${protocol.toLowerCase()}`,
      admin_state_up: true,
      connection_limit: spec.connectionLimit ?? -1,
      allowed_cidrs: spec.allowedCidrs ?? [],
    })),
    pools: protocols.map(pool),
    dataplane: spec.tcpClosingTimeoutMs ? { tcp_closing_timeout_ms: spec.tcpClosingTimeoutMs } : null,
  };
}
