// The managed neighbour entries of members. bpf_fib_lookup finds no MAC without one, so
// a member leaving the fast path (removed, its pool moved to HAProxy) keeps its entry
// while conntrack still sends flows to it: its open connections finish instead of being
// dropped (DROP_FIB). The entry goes once no forward entry targets the address.
import type { NativeAddon } from '../native/native.js';
import { bytesToAddr, FLOW_KEY_SIZE, FLOW_SIZE, LAYOUT, LB_DIR_FORWARD } from './codecs.js';
import { ensureNeighbour, forgetNeighbour } from './host.js';

/** How often retiring entries are checked against conntrack (a walk of the whole table). */
const RETIRE_CHECK_MS = 5_000;

export interface NeighbourLog {
  info(event: string, fields: Record<string, unknown>): void;
}

export class MemberNeighbours {
  private readonly active = new Map<string, string>(); // address -> ifname
  private readonly retiring = new Map<string, string>();
  private lastCheck = 0;
  private queue: Promise<unknown> = Promise.resolve(); // one `ip neigh` change at a time

  constructor(
    private readonly nat: NativeAddon,
    private readonly flowsFd: number,
    private readonly log: NeighbourLog,
  ) {}

  /** Entries for exactly these members (address -> ifname); the others retire. */
  sync(want: ReadonlyMap<string, string>): Promise<void> {
    return this.serialize(() => this.syncNow(want));
  }

  /** Forgets retiring entries no flow uses any more; a walk of conntrack at most every few seconds. */
  retire(now = false): Promise<void> {
    return this.serialize(() => this.retireNow(now));
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }

  private async syncNow(want: ReadonlyMap<string, string>): Promise<void> {
    for (const [address, ifname] of want) {
      if (this.active.get(address) === ifname) continue;
      const how = await ensureNeighbour(address, ifname);
      this.active.set(address, ifname);
      if (this.retiring.get(address) === ifname) this.retiring.delete(address);
      this.log.info('neighbour', { address, ifname, how });
    }
    for (const [address, ifname] of this.active) {
      if (want.get(address) === ifname) continue;
      this.active.delete(address);
      this.retiring.set(address, ifname);
    }
    await this.retireNow(true);
  }

  private async retireNow(now: boolean): Promise<void> {
    if (this.retiring.size === 0) return;
    if (!now && Date.now() - this.lastCheck < RETIRE_CHECK_MS) return;
    this.lastCheck = Date.now();
    const inUse = this.flowTargets();
    for (const [address, ifname] of [...this.retiring]) {
      if (inUse.has(address)) continue;
      this.retiring.delete(address);
      await forgetNeighbour(address, ifname);
      this.log.info('neighbour-forgotten', { address, ifname });
    }
  }

  /** Every entry this data plane made, retiring or not (teardown). */
  forgetAll(): Promise<void> {
    return this.serialize(async () => {
      for (const [address, ifname] of [...this.active, ...this.retiring])
        await forgetNeighbour(address, ifname);
      this.active.clear();
      this.retiring.clear();
    });
  }

  /** Member addresses that forward entries rewrite to. */
  private flowTargets(): Set<string> {
    const { count, keys, values } = this.nat.mapDump(this.flowsFd);
    const k = LAYOUT.lb_flow_key.offsets;
    const v = LAYOUT.lb_flow.offsets;
    const targets = new Set<string>();
    for (let i = 0; i < count; i++) {
      const value = i * FLOW_SIZE;
      if (values.readUInt8(value + v.dir) !== LB_DIR_FORWARD) continue;
      const family = keys.readUInt8(i * FLOW_KEY_SIZE + k.family);
      targets.add(bytesToAddr(values, value + v.nat_dst, family));
    }
    return targets;
  }
}
