// What a Dataplane leaves under bpffs, removed without loading the program (tests,
// --cleanup-on-exit after a crash), and the error of an interface XDP cannot attach to.
import { readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { native, type XdpMode } from '../native/native.js';

/** Everything pinned under `pinRoot` by a Dataplane, removed without loading the program (tests, --cleanup). */
export function removePins(pinRoot: string): void {
  const nat = native();
  for (const sub of ['links', 'maps']) {
    const dir = join(pinRoot, sub);
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      try {
        nat.unpin(join(dir, n));
      } catch {
        // gone
      }
    }
    try {
      rmdirSync(dir);
    } catch {
      // gone
    }
  }
  try {
    rmdirSync(pinRoot);
  } catch {
    // gone
  }
}

/** XDP could not be attached to an interface in the mode the config asks for. */
export class XdpAttachError extends Error {
  constructor(
    readonly ifname: string,
    readonly mode: XdpMode,
    cause: unknown,
  ) {
    super(
      `cannot attach XDP in ${mode} mode to ${ifname}: ${cause instanceof Error ? cause.message : String(cause)}` +
        (mode === 'native' ? ' (set dataplane.generic_xdp to use generic mode)' : ''),
      { cause },
    );
    this.name = 'XdpAttachError';
  }
}
