// The xdp_lb maps by role, as fds, found by name in a loaded object.
import type { MapInfo } from '../native/native.js';
import { MapName } from './codecs.js';

export interface LbMaps {
  vips: number;
  rings: number;
  backends: number;
  flows: number;
  txPorts: number;
  settings: number;
  vipStats: number;
  backendStats: number;
  exitStats: number;
  /** Per-CPU u64 drops, index id * LB_EXIT_MAX + reason. */
  vipDrops: number;
  backendDrops: number;
  /** u64 flows opened, added to by the program. */
  vipOpened: number;
  backendOpened: number;
  /** struct lb_active, written by the conntrack sweep. */
  vipActive: number;
  backendActive: number;
  /** Per-CPU u32 round-robin position per VIP. */
  rr: number;
  /** LPM trie of struct lb_cidr_key. */
  allowedCidrs: number;
}

export function lbMaps(infos: MapInfo[]): LbMaps {
  const byName = new Map(infos.map((m) => [m.name, m.fd]));
  const fd = (name: string): number => {
    const f = byName.get(name);
    if (f === undefined) throw new Error(`BPF object has no map ${name}`);
    return f;
  };
  return {
    vips: fd(MapName.vips),
    rings: fd(MapName.rings),
    backends: fd(MapName.backends),
    flows: fd(MapName.flows),
    txPorts: fd(MapName.txPorts),
    settings: fd(MapName.settings),
    vipStats: fd(MapName.vipStats),
    backendStats: fd(MapName.backendStats),
    exitStats: fd(MapName.exitStats),
    vipDrops: fd(MapName.vipDrops),
    backendDrops: fd(MapName.backendDrops),
    vipOpened: fd(MapName.vipOpened),
    backendOpened: fd(MapName.backendOpened),
    vipActive: fd(MapName.vipActive),
    backendActive: fd(MapName.backendActive),
    rr: fd(MapName.rr),
    allowedCidrs: fd(MapName.allowedCidrs),
  };
}
