// Packet counters kept by the bench's own XDP programs (per-CPU arrays), read by map name.
import { run } from './shell.js';

export function readCounter(mapName: string): number {
  const dump = JSON.parse(run('bpftool', ['-j', 'map', 'dump', 'name', mapName])) as unknown;
  let total = 0;
  // bpftool prints one entry per map of that name, each with per-CPU `values`.
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.cpu === 'number' && typeof o.value === 'number') total += o.value;
      else Object.values(o).forEach(walk);
    }
  };
  walk(dump);
  return total;
}
