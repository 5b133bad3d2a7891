// The real data plane: xdp_lb loaded with its maps pinned, attached by pinned links on
// every VIP and MEMBER interface, so it outlives the agent. A restarted agent adopts what
// is pinned (maps by libbpf's pin_root, links by their pins) instead of rebuilding.
import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '../agent/log.js';
import { errorFields } from '../agent/log.js';
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import {
  native,
  type BpfLinkHandle,
  type BpfObjectHandle,
  type NativeAddon,
  type XdpMode,
} from '../native/native.js';
import { Applier } from './applier.js';
import { MapCarryOver, type CarriedMap } from './carry-over.js';
import { MapName, PROG_SWEEP, PROG_XDP, decodeU32, encodeSettings, encodeU32 } from './codecs.js';
import { compile, type Compiled } from './compiler.js';
import { sweepConntrack } from './conntrack.js';
import type { ApplyOptions, DataplaneDriver, InterfaceMode, TrafficSnapshot } from './driver.js';
import { announceAddress, setSysctls } from './host.js';
import { lbMaps, type LbMaps } from './maps.js';
import { MemberNeighbours } from './neighbours.js';
import { XdpAttachError } from './pins.js';
import { readTraffic } from './traffic.js';

export { removePins, XdpAttachError } from './pins.js';

const DEFAULT_SNAT_MIN = 10000;
const DEFAULT_SNAT_MAX = 59999;
const DEFAULT_CLOSING_TIMEOUT_MS = 10_000;
const DEFAULT_SWEEP_INTERVAL_MS = 1000;
/** The sweep may take at most 1/SWEEP_DUTY_DIVISOR of a core: a big table is swept less often. */
const SWEEP_DUTY_DIVISOR = 20;
const MAX_SWEEP_INTERVAL_MS = 30_000;

export interface DataplaneOptions {
  bpfObject: string;
  pinRoot: string; // maps under ${pinRoot}/maps, links under ${pinRoot}/links
  log: Logger;
  /** Period of the conntrack sweep (default 1 s; longer when a sweep takes over 1/20 of it). */
  sweepIntervalMs?: number;
}

interface Attachment {
  link: BpfLinkHandle;
  ifindex: number;
  mode: XdpMode;
}

export class Dataplane implements DataplaneDriver {
  private readonly nat: NativeAddon = native();
  private readonly obj: BpfObjectHandle;
  private readonly maps: LbMaps;
  private readonly progFd: number;
  private readonly sweepProgFd: number;
  private readonly applier: Applier;
  private readonly links = new Map<string, Attachment>();
  private readonly neighbours: MemberNeighbours;
  private readonly announced = new Set<string>(); // "address@ifname" sent a gratuitous ARP
  private readonly mapsDir: string;
  private readonly linksDir: string;
  private closed = false;
  private sweeper: NodeJS.Timeout | undefined;
  private sweepFailing = false;

  constructor(private readonly opts: DataplaneOptions) {
    this.mapsDir = join(opts.pinRoot, 'maps');
    this.linksDir = join(opts.pinRoot, 'links');
    mkdirSync(this.linksDir, { recursive: true });
    const txPorts = this.releaseTxPorts();
    const carry = MapCarryOver.prepare(this.nat, opts.bpfObject, this.mapsDir, new Set([MapName.txPorts]));
    try {
      this.obj = this.nat.loadObject(opts.bpfObject, { pinRoot: this.mapsDir });
    } catch (err) {
      carry.restore(); // the running program and the next agent keep the old maps
      throw err;
    }
    const objectMaps = this.nat.objectMaps(this.obj);
    const newFds = new Map(objectMaps.map((m) => [m.name, m.fd]));
    this.maps = lbMaps(objectMaps);
    this.progFd = this.nat.programFd(this.obj, PROG_XDP);
    this.sweepProgFd = this.nat.programFd(this.obj, PROG_SWEEP);
    for (const ifindex of txPorts)
      this.nat.mapUpdate(this.maps.txPorts, encodeU32(ifindex), encodeU32(ifindex));
    let carried: CarriedMap[];
    try {
      carried = carry.copy(newFds);
    } catch (err) {
      carry.rollBack(); // as if this build had never loaded: the next agent finds the old state
      this.nat.closeObject(this.obj);
      throw err;
    }
    this.adoptLinks();
    const caughtUp = carry.catchUp(newFds);
    const unpinned = carry.close();
    for (const m of carried) opts.log[m.reason ? 'warn' : 'info']('map-carried-over', { ...m });
    if (carried.length || unpinned.length)
      opts.log.info('maps-upgraded', {
        carried: carried.length,
        flows_caught_up: caughtUp,
        stale_unpinned: unpinned,
      });
    this.applier = new Applier(this.nat, this.maps);
    this.neighbours = new MemberNeighbours(this.nat, this.maps.flows, opts.log);
    const services = [...this.applier.current.vips.values()].filter((v) => v.protocol !== 'ICMP');
    opts.log.info('dataplane-open', {
      pin_root: opts.pinRoot,
      adopted_links: [...this.links.keys()],
      adopted_vips: services.length,
      adopted_backends: this.applier.current.backends.size,
    });
    this.scheduleSweep(opts.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  }

  private scheduleSweep(delayMs: number): void {
    if (this.closed) return;
    this.sweeper = setTimeout(() => {
      const started = performance.now();
      this.sweep();
      const took = performance.now() - started;
      const base = this.opts.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
      this.scheduleSweep(Math.min(MAX_SWEEP_INTERVAL_MS, Math.max(base, took * SWEEP_DUTY_DIVISOR)));
    }, delayMs);
    this.sweeper.unref();
  }

  /**
   * The conntrack sweep (conntrack.ts): expired flows out, broken pairs repaired, and the
   * open-connection counts that connection_limit, LEAST_CONNECTIONS and the counters read.
   */
  private sweep(): void {
    if (this.closed) return;
    try {
      sweepConntrack(this.nat, this.sweepProgFd);
      this.neighbours
        .retire()
        .catch((err) => this.opts.log.warn('neighbour-retire-failed', errorFields(err)));
      if (this.sweepFailing) this.opts.log.info('conntrack-sweep-recovered');
      this.sweepFailing = false;
    } catch (err) {
      if (!this.sweepFailing) this.opts.log.error('conntrack-sweep-failed', errorFields(err));
      this.sweepFailing = true;
    }
  }

  /**
   * libbpf 1.1 cannot reuse a pinned DEVMAP_HASH (the kernel adds BPF_F_RDONLY_PROG to its
   * flags, which libbpf then sees as a mismatch), so the pinned lb_tx_ports is unpinned
   * (the running program keeps it) and its entries carried into the new one.
   */
  private releaseTxPorts(): number[] {
    const pin = join(this.mapsDir, MapName.txPorts);
    if (!existsSync(pin)) return [];
    const fd = this.nat.openPinned(pin);
    const ifindexes: number[] = [];
    try {
      for (let k = this.nat.mapNextKey(fd, null); k; k = this.nat.mapNextKey(fd, k))
        ifindexes.push(decodeU32(k));
    } finally {
      this.nat.closeFd(fd);
    }
    this.nat.unpin(pin);
    return ifindexes;
  }

  /** Reattach pinned links to this agent's program: an upgrade swaps the program atomically. */
  private adoptLinks(): void {
    for (const ifname of readdirSync(this.linksDir)) {
      const path = join(this.linksDir, ifname);
      try {
        const link = this.nat.openPinnedLink(path);
        this.nat.updateLink(link, this.progFd);
        const ifindex = this.nat.ifIndex(ifname);
        const q = this.nat.queryXdp(ifindex);
        const mode: XdpMode = q?.mode === 'generic' ? 'generic' : 'native';
        this.links.set(ifname, { link, ifindex, mode });
      } catch (err) {
        this.opts.log.warn('link-not-adopted', { ifname, ...errorFields(err) });
        this.unpinQuietly(path);
      }
    }
  }

  async apply(config: AmphoraConfig__Output, opts: ApplyOptions = {}): Promise<Compiled> {
    if (this.closed) throw new Error('data plane is closed');
    await setSysctls();
    const dp = config.dataplane;
    this.nat.mapUpdate(
      this.maps.settings,
      encodeU32(0),
      encodeSettings({
        snatPortMin: dp?.snat_port_min || DEFAULT_SNAT_MIN,
        snatPortMax: dp?.snat_port_max || DEFAULT_SNAT_MAX,
        flags: 0,
        closingTimeoutMs: dp?.tcp_closing_timeout_ms || DEFAULT_CLOSING_TIMEOUT_MS,
      }),
    );
    this.syncInterfaces(
      config.interfaces.map((i) => i.name),
      dp?.generic_xdp ? 'generic' : 'native',
    );

    const compiled = compile(config, this.applier.allocations, this.applier.current, {
      health: opts.health,
      haproxyProtocols: opts.haproxyProtocols,
    });
    await this.syncNeighbours(compiled);
    this.announceAddresses(config);
    const plan = this.applier.apply(compiled);
    this.opts.log.info('maps-written', {
      backends: plan.backendsUpsert.length,
      rings: plan.ringsWrite.length,
      vips: plan.vipsUpsert.length,
      vips_deleted: plan.vipsDelete.length,
      backends_deleted: plan.backendsDelete.length,
      cidrs: plan.cidrsInsert.length,
      cidrs_deleted: plan.cidrsDelete.length,
    });
    return compiled;
  }

  private syncInterfaces(names: string[], mode: XdpMode): void {
    for (const ifname of names) {
      if (this.links.has(ifname)) continue;
      const ifindex = this.nat.ifIndex(ifname);
      let attached: { link: BpfLinkHandle; mode: XdpMode };
      try {
        attached = this.nat.attachXdp(this.progFd, ifindex, mode);
      } catch (err) {
        // Generic mode is several times slower: use it only when the config asks for it.
        throw new XdpAttachError(ifname, mode, err);
      }
      this.nat.pinLink(attached.link, join(this.linksDir, ifname));
      this.links.set(ifname, { link: attached.link, ifindex, mode: attached.mode });
      this.opts.log.info('xdp-attached', { ifname, ifindex, mode: attached.mode });
    }
    for (const [ifname, a] of this.links) {
      if (names.includes(ifname)) continue;
      this.detach(ifname, a);
    }
    // The program may redirect to exactly the interfaces it runs on.
    const want = new Set([...this.links.values()].map((a) => a.ifindex));
    for (const ifindex of want) this.nat.mapUpdate(this.maps.txPorts, encodeU32(ifindex), encodeU32(ifindex));
    const stale: Buffer[] = [];
    for (
      let k = this.nat.mapNextKey(this.maps.txPorts, null);
      k;
      k = this.nat.mapNextKey(this.maps.txPorts, k)
    ) {
      if (!want.has(decodeU32(k))) stale.push(k);
    }
    for (const k of stale) this.nat.mapDelete(this.maps.txPorts, k);
  }

  private detach(ifname: string, a: Attachment): void {
    this.unpinQuietly(join(this.linksDir, ifname));
    this.nat.destroyLink(a.link); // the last reference: the kernel detaches
    this.links.delete(ifname);
    this.opts.log.info('xdp-detached', { ifname });
  }

  private async syncNeighbours(compiled: Compiled): Promise<void> {
    const want = new Map<string, string>();
    for (const m of compiled.members) if (m.ifname && m.backendId !== null) want.set(m.address, m.ifname);
    await this.neighbours.sync(want);
  }

  /**
   * Announce each address of the forwarding interfaces once, in the background: the VIP
   * to clients, the SNAT addresses to members (a new amphora often gets both addresses
   * of the one it replaces, and peers still cache the old MACs). IPv6 addresses are not
   * announced (arping is IPv4 only): peers re-resolve when their neighbour entry goes stale.
   */
  private announceAddresses(config: AmphoraConfig__Output): void {
    for (const iface of config.interfaces) {
      for (const cidr of iface.addresses) {
        const address = cidr.split('/')[0]!;
        if (!isIPv4(address)) continue;
        const key = `${address}@${iface.name}`;
        if (this.announced.has(key)) continue;
        this.announced.add(key);
        void announceAddress(address, iface.name).then((ok) =>
          this.opts.log.info('address-announced', { address, ifname: iface.name, ok }),
        );
      }
    }
  }

  interfaces(): InterfaceMode[] {
    return [...this.links].map(([name, a]) => ({ name, xdp_mode: a.mode }));
  }

  traffic(): TrafficSnapshot {
    if (this.closed) return { vips: new Map(), backends: new Map(), exits: [] };
    const services = [...this.applier.current.vips.values()].filter((v) => v.protocol !== 'ICMP');
    return readTraffic(
      this.nat,
      this.maps,
      services.map((v) => v.vipId),
      this.applier.current.backends.keys(),
    );
  }

  /** Stop using the data plane. Without `cleanup` the pinned program keeps forwarding. */
  async close(cleanup: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.sweeper);
    if (cleanup) {
      for (const [ifname, a] of [...this.links]) this.detach(ifname, a);
      await this.neighbours.forgetAll();
      for (const name of Object.values(MapName)) this.unpinQuietly(join(this.mapsDir, name));
      for (const dir of [this.mapsDir, this.linksDir, this.opts.pinRoot]) {
        try {
          rmdirSync(dir);
        } catch {
          // not empty (someone else's pins) or already gone: leave it
        }
      }
      this.opts.log.info('dataplane-removed', { pin_root: this.opts.pinRoot });
    }
    this.nat.closeObject(this.obj);
  }

  private unpinQuietly(path: string): void {
    try {
      this.nat.unpin(path);
    } catch {
      // already gone
    }
  }
}
