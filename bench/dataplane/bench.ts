// The data-plane benchmark: six ways of balancing, each measured on every figure it can
// take part in, each figure on a fresh setup, interleaved over rounds (the order rotates each round) so that drift on
// the machine hits them all alike. A variant that fails a run is recorded as failed for
// that run and the bench goes on; namespaces and processes are removed on every exit,
// Ctrl-C included.
import { machineFacts } from '../machine.js';
import { FIGURES } from './figures.js';
import { measureFigure, runNotes, type DataplaneOptions } from './measure.js';
import { CPU_METHOD } from './napi.js';
import { killTracked } from './shell.js';
import type { Outcome, RawRun } from './summary.js';
import { startMemberServer } from './tools.js';
import { buildTopology, destroyTopology, pinNapi, type Topology } from './topology.js';
import { variants, type Variant } from './variants.js';

export type { DataplaneOptions } from './measure.js';

export const METHOD = [
  `${CPU_METHOD}.`,
  'Client, balancer and member are network namespaces joined by veth pairs; the traffic tools ' +
    '(C, built by the bench) and the receive threads of the client and member run on CPU 1. ' +
    'Every figure is measured on a fresh setup of its variant (agent or HAProxy started, nft table loaded).',
  'Packets: UDP frames of established flows from an AF_PACKET sendmmsg generator, counted where they ' +
    'land (an XDP counter on the member veth; the balancer itself for XDP_DROP).',
  'New flows: TCP SYNs, each from a source address and port not used before in the run, counted at ' +
    'the member; the balancer’s conntrack table is emptied before each nftables run.',
  'Connections, requests, throughput: an epoll client and server (tcpserve.c on all members), ' +
    'connections through the VIP (plain forwarding: to a member directly).',
];

/** An error on one line, short enough for a table cell. */
const describe = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' / ')
    .slice(0, 400);

/**
 * Each figure on a freshly set-up variant, so that no figure inherits another's state
 * (a conntrack table full of SYN_SENT entries, an agent sweeping them).
 */
async function measureVariant(
  topo: Topology,
  v: Variant,
  opts: DataplaneOptions,
  record: (figure: string, o: Outcome) => void,
): Promise<void> {
  for (const f of FIGURES.filter((f) => !v.na[f.id])) {
    try {
      try {
        await v.setup(topo);
        // Attaching XDP can recreate the NAPI threads: pin whatever exists now.
        pinNapi();
      } catch (err) {
        record(f.id, { error: `setup: ${describe(err)}` });
        continue;
      }
      record(f.id, await measureFigure(f.id, topo, v, opts));
    } catch (err) {
      record(f.id, { error: describe(err) });
    } finally {
      await v.teardown();
    }
  }
}

export async function dataplaneBench(opts: DataplaneOptions, quick = false): Promise<RawRun> {
  const vs = variants();
  let topo: Topology | undefined;
  // Ctrl-C mid-run: take everything down before exiting (namespaces carry links,
  // programs and nft tables with them; the agent, HAProxy and the tools are killed).
  const onSignal = (): void => {
    killTracked();
    destroyTopology(topo);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const samples: RawRun['samples'] = Object.fromEntries(vs.map((v) => [v.name, {}]));
  const date = new Date().toISOString();
  try {
    topo = buildTopology();
    await startMemberServer(topo);
    for (let r = 0; r < opts.rounds; r++) {
      for (let i = 0; i < vs.length; i++) {
        const v = vs[(i + r) % vs.length]!;
        const t0 = Date.now();
        await measureVariant(topo, v, opts, (figure, o) => {
          const byFigure = samples[v.name] as Record<string, Outcome[]>;
          (byFigure[figure] ??= []).push(o);
        });
        console.error(
          `round ${r + 1}/${opts.rounds}: ${v.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
        );
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const v of vs) await v.teardown();
    killTracked();
    destroyTopology(topo);
  }
  return {
    date,
    quick,
    machine: machineFacts(),
    options: { ...opts },
    method: METHOD,
    variants: vs.map((v) => ({ name: v.name, na: v.na })),
    samples,
    notes: [...runNotes],
  };
}
