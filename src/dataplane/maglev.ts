// Maglev consistent hashing (Eisenbud et al., NSDI 2016), weighted as katran's
// MaglevHashV2 does: each backend walks its own permutation of the table and claims
// the next free slot, taking turns in proportion to its weight. Pure and deterministic:
// the same backends give the same table whatever their order.
import { createHash } from 'node:crypto';
import { LB_RING_SIZE, RING_EMPTY, ringEntry } from './codecs.js';

export interface MaglevBackend {
  id: number; // backend id (index of lb_backends)
  weight: number; // 0 leaves the backend out
  key: string; // stable identity, e.g. the member id: decides the backend's permutation
}

/** offset and skip of a backend's permutation: slot j is (offset + j * skip) mod size. */
function permutation(key: string, size: number): { offset: number; skip: number } {
  const digest = createHash('sha256').update(key).digest();
  return { offset: digest.readUInt32BE(0) % size, skip: (digest.readUInt32BE(4) % (size - 1)) + 1 };
}

/**
 * The lb_rings row for these backends: `size` entries of backend id + 1 (codecs'
 * ringEntry), all RING_EMPTY when no backend has weight. `size` must be prime.
 */
export function maglevTable(backends: readonly MaglevBackend[], size: number = LB_RING_SIZE): Uint32Array {
  const table = new Uint32Array(size).fill(RING_EMPTY);
  const live = backends
    .filter((b) => {
      if (!Number.isInteger(b.weight) || b.weight < 0)
        throw new RangeError(`bad weight ${b.weight} for ${b.key}`);
      return b.weight > 0;
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (let i = 1; i < live.length; i++) {
    if (live[i]!.key === live[i - 1]!.key) throw new RangeError(`duplicate backend key ${live[i]!.key}`);
  }
  if (live.length === 0) return table;

  const maxWeight = Math.max(...live.map((b) => b.weight));
  const walkers = live.map((b) => {
    const { offset, skip } = permutation(b.key, size);
    return { entry: ringEntry(b.id), weight: b.weight, skip, cursor: offset, credit: 0 };
  });
  let filled = 0;
  while (filled < size) {
    for (const w of walkers) {
      // A backend claims a slot each time its accumulated weight reaches the heaviest one's.
      w.credit += w.weight;
      if (w.credit < maxWeight) continue;
      w.credit -= maxWeight;
      while (table[w.cursor] !== RING_EMPTY) w.cursor = (w.cursor + w.skip) % size;
      table[w.cursor] = w.entry;
      w.cursor = (w.cursor + w.skip) % size;
      if (++filled === size) break;
    }
  }
  return table;
}
