// What the data plane holds, read from outside the agent: the pinned maps (ids, conntrack
// keys, VIP entries) and the XDP program attached to each interface. Lets a test tell an
// adopted data plane from a rebuilt one.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { native } from '../../src/native/native.js';
import type { Netns } from '../lib/netns.js';

export interface AttachedProgram {
  id: number;
  tag: string;
}

export interface PinnedState {
  mapIds: Map<string, number>; // pin name -> kernel map id
  flows: Set<string>; // lb_flows keys, hex
  vips: Map<string, string>; // lb_vips key -> value, hex
  programs: Map<string, AttachedProgram | null>; // ifname -> the XDP program on it
}

function mapEntries(path: string, withValues: boolean): Map<string, string> {
  const nat = native();
  const fd = nat.openPinned(path);
  const out = new Map<string, string>();
  try {
    // Bounded: lb_flows holds at most LB_MAX_FLOWS keys; the test's are a handful.
    for (let k = nat.mapNextKey(fd, null), n = 0; k && n < 1_000_000; k = nat.mapNextKey(fd, k), n++)
      out.set(k.toString('hex'), withValues ? (nat.mapLookup(fd, k)?.toString('hex') ?? '') : '');
  } finally {
    nat.closeFd(fd);
  }
  return out;
}

/** The XDP program on `ifname` in namespace `ns`, as iproute2 reports it. */
export function attachedProgram(net: Netns, ns: string, ifname: string): AttachedProgram | null {
  const [link] = JSON.parse(net.ip(ns, '-j', '-d', 'link', 'show', 'dev', ifname)) as {
    xdp?: { prog?: { id: number; tag: string } };
  }[];
  const prog = link?.xdp?.prog;
  return prog ? { id: prog.id, tag: prog.tag } : null;
}

export function pinnedState(pinRoot: string, net: Netns, ns: string, ifnames: string[]): PinnedState {
  const nat = native();
  const mapsDir = join(pinRoot, 'maps');
  const mapIds = new Map<string, number>();
  for (const name of readdirSync(mapsDir)) {
    const fd = nat.openPinned(join(mapsDir, name));
    try {
      mapIds.set(name, nat.mapInfo(fd).id ?? -1);
    } finally {
      nat.closeFd(fd);
    }
  }
  return {
    mapIds,
    flows: new Set(mapEntries(join(mapsDir, 'lb_flows'), false).keys()),
    vips: mapEntries(join(mapsDir, 'lb_vips'), true),
    programs: new Map(ifnames.map((i) => [i, attachedProgram(net, ns, i)])),
  };
}
