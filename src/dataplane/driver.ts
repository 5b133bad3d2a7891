// What the agent needs from a data plane. The real one is dataplane.ts (XDP on the
// amphora's NICs); tests of the gRPC surface may put a recording one in its place.
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { Compiled, MemberHealth } from './compiler.js';

export interface Traffic {
  packetsIn: bigint; // client -> member
  bytesIn: bigint;
  packetsOut: bigint; // member -> client
  bytesOut: bigint;
  connections: bigint; // flows created
  active: bigint; // flows open now
  /** Packets dropped, by reason (lb.h's LB_EXIT_DROP_* without the prefix: "CIDR", "NO_FLOW"). */
  drops: Record<string, bigint>;
}

export interface TrafficSnapshot {
  vips: Map<number, Traffic>; // by vip id
  backends: Map<number, Traffic>; // by backend id
  exits: { reason: string; packets: bigint; bytes: bigint }[];
}

export interface InterfaceMode {
  name: string;
  xdp_mode: 'native' | 'generic' | 'none';
}

export interface ApplyOptions {
  /** The member health checker's results: members in ERROR leave the ring. */
  health?: MemberHealth;
  /** Listener protocols besides TCP/HTTPS that HAProxy serves (see RoutingOptions). */
  haproxyProtocols?: readonly string[];
}

export interface DataplaneDriver {
  /** Make the data plane serve `config`. Throws when it could not (nothing half-applied is served). */
  apply(config: AmphoraConfig__Output, opts?: ApplyOptions): Promise<Compiled>;
  interfaces(): InterfaceMode[];
  traffic(): TrafficSnapshot;
  /** Stop using the data plane; with `cleanup`, detach XDP and remove every pin. */
  close(cleanup: boolean): Promise<void>;
}

export function zeroTraffic(): Traffic {
  return { packetsIn: 0n, bytesIn: 0n, packetsOut: 0n, bytesOut: 0n, connections: 0n, active: 0n, drops: {} };
}

export function addTraffic(a: Traffic, b: Traffic): Traffic {
  const drops = { ...a.drops };
  for (const [reason, n] of Object.entries(b.drops)) drops[reason] = (drops[reason] ?? 0n) + n;
  return {
    packetsIn: a.packetsIn + b.packetsIn,
    bytesIn: a.bytesIn + b.bytesIn,
    packetsOut: a.packetsOut + b.packetsOut,
    bytesOut: a.bytesOut + b.bytesOut,
    connections: a.connections + b.connections,
    active: a.active + b.active,
    drops,
  };
}

export function totalDrops(t: Traffic): bigint {
  return Object.values(t.drops).reduce((sum, n) => sum + n, 0n);
}
