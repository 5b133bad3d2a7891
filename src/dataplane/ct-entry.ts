// lb_flows entries for the conntrack sweep. An entry read from the map keeps its bytes: its
// id, its twin's id and the fields the sweep judges by come straight from them, and the
// addresses are decoded only if something asks (a full table is 262144 entries a sweep).
import {
  decodeFlow,
  decodeFlowKey,
  encodeFlowKey,
  FLOW_KEY_SIZE,
  LAYOUT,
  type Flow,
  type FlowKey,
} from './codecs.js';

export interface CtEntry {
  key: FlowKey;
  flow: Flow;
}

/** What the sweep judges an entry by. */
export type CtFields = Pick<Flow, 'dir' | 'state' | 'lastSeenNs' | 'vipId' | 'backendId'>;

const K = LAYOUT.lb_flow_key.offsets;
const F = LAYOUT.lb_flow.offsets;
const ADDR = 16;
const PORT = 2;

export class RawCtEntry implements CtEntry, CtFields {
  /** The key's bytes as a latin1 string (short to hash): equal keys, equal ids. */
  readonly id: string;
  /** The id of the key its rewritten packets are answered with (bpf/ct.h ct_twin_key). */
  readonly twinId: string;
  readonly dir: number;
  readonly state: number;
  readonly lastSeenNs: bigint;
  readonly vipId: number;
  readonly backendId: number;
  private decodedKey: FlowKey | undefined;
  private decodedFlow: Flow | undefined;

  constructor(
    private readonly rawKey: Buffer,
    private readonly rawValue: Buffer,
  ) {
    this.id = rawKey.toString('latin1');
    const twin = Buffer.alloc(FLOW_KEY_SIZE);
    rawValue.copy(twin, K.src, F.nat_dst, F.nat_dst + ADDR);
    rawValue.copy(twin, K.dst, F.nat_src, F.nat_src + ADDR);
    rawValue.copy(twin, K.sport, F.nat_dport, F.nat_dport + PORT);
    rawValue.copy(twin, K.dport, F.nat_sport, F.nat_sport + PORT);
    twin[K.proto] = rawKey[K.proto] as number;
    twin[K.family] = rawKey[K.family] as number;
    this.twinId = twin.toString('latin1');
    this.dir = rawValue.readUInt8(F.dir);
    this.state = rawValue.readUInt8(F.state);
    this.lastSeenNs = rawValue.readBigUInt64LE(F.last_seen_ns);
    this.vipId = rawValue.readUInt32LE(F.vip_id);
    this.backendId = rawValue.readUInt32LE(F.backend_id);
  }

  get key(): FlowKey {
    return (this.decodedKey ??= decodeFlowKey(this.rawKey));
  }

  get flow(): Flow {
    return (this.decodedFlow ??= decodeFlow(this.rawValue, this.rawKey[K.family]));
  }
}

/** The key of an entry's twin: the tuple its rewritten packets are answered with (bpf/ct.h ct_twin_key). */
export function twinKey(e: CtEntry): FlowKey {
  const f = e.flow;
  return { src: f.natDst, dst: f.natSrc, sport: f.natDport, dport: f.natSport, proto: e.key.proto };
}

export function entryId(e: CtEntry): string {
  return e instanceof RawCtEntry ? e.id : encodeFlowKey(e.key).toString('latin1');
}

export function twinIdOf(e: CtEntry): string {
  return e instanceof RawCtEntry ? e.twinId : encodeFlowKey(twinKey(e)).toString('latin1');
}

export function ctFields(e: CtEntry): CtFields {
  return e instanceof RawCtEntry ? e : e.flow;
}
