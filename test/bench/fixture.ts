// A raw data-plane run built by hand: two rounds, known costs, one failure, one n/a.
import { VARIANT } from '../../bench/dataplane/figures.js';
import type { Outcome, RawRun } from '../../bench/dataplane/summary.js';

export const ok = (cost: number, rate = 1e6, busy = 1): Outcome => ({ rate, cost, busy });

export function rawRun(): RawRun {
  return {
    date: '2030-01-02T03:04:05.000Z',
    quick: false,
    machine: { cpu: '2 × Test CPU', kernel: '6.1.0' },
    options: { rounds: 2, seconds: 1 },
    method: ['by hand.'],
    variants: [
      { name: VARIANT.fwd, na: {} },
      { name: VARIANT.velox, na: {} },
      { name: VARIANT.kernel, na: {} },
      { name: VARIANT.nft, na: {} },
      { name: VARIANT.haproxy, na: { packet: 'no UDP', newFlow: 'SYNs end there' } },
    ],
    samples: {
      [VARIANT.fwd]: { packet: [ok(100), ok(200)], newFlow: [ok(100), ok(100)] },
      [VARIANT.velox]: { packet: [ok(120), ok(300)], newFlow: [ok(200), { error: 'agent <died> & gone' }] },
      [VARIANT.kernel]: { packet: [ok(400), ok(600)], newFlow: [ok(400), ok(400)], throughput: [ok(5e8)] },
      [VARIANT.nft]: { packet: [ok(600), ok(900)], newFlow: [ok(800), ok(900)] },
      [VARIANT.haproxy]: { connection: [{ rate: 2000, cost: 30_000, busy: 0.5, processShare: 0.5 }] },
    },
    notes: ['a note'],
  };
}
