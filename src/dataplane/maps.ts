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
  };
}
