// One run of one figure for one variant. The balancer is charged the CPU time its NAPI
// threads and its own processes spent between just before the traffic started and
// shortly after it stopped (in-flight packets land); the traffic's ends run on the other CPU.
import { readCounter } from './counter.js';
import type { FigureId } from './figures.js';
import { cpuNs, napiThreads, processCpuNs } from './napi.js';
import { sleep } from './shell.js';
import type { Sample } from './summary.js';
import { conntrackFill, flushConntrack, generateSyns, generateUdp, tcpLoad, type TcpMode } from './tools.js';
import { BALANCER_DEVS, type Topology } from './topology.js';
import type { Variant } from './variants.js';

export interface DataplaneOptions {
  rounds: number;
  /** Length of each packet, connection, request and throughput run. */
  seconds: number;
  /** Length of each new-flow run (kept short so nftables' conntrack table never fills). */
  synSeconds: number;
  /** Warm-up before each run: flows established, neighbours resolved. */
  warmSeconds: number;
  flows: number;
  payload: number;
  /** Connections kept open by the TCP client in the connection and request tests. */
  concurrency: number;
  /** Parallel streams of the throughput test. */
  streams: number;
}

/** The next SYN tuple never sent in this bench (syngen.c); shared by all variants. */
let synCursor = 0;

interface Charge<T> {
  result: T;
  /** Balancer CPU ns: NAPI threads and processes. */
  cpu: number;
  /** The processes' part of it (agent, HAProxy). */
  processCpu: number;
}

async function charged<T>(v: Variant, work: () => Promise<T>): Promise<Charge<T>> {
  const threads = napiThreads(BALANCER_DEVS);
  const pids = v.pids();
  const napi0 = cpuNs(threads);
  const proc0 = processCpuNs(pids);
  const result = await work();
  await sleep(200);
  const napi = cpuNs(threads) - napi0;
  const processCpu = processCpuNs(pids) - proc0;
  if (napiThreads(BALANCER_DEVS).join() !== threads.join()) throw new Error('NAPI threads changed mid-run');
  return { result, cpu: napi + processCpu, processCpu };
}

/** A sample from a charge, `units` of work done in `ns` of traffic. */
function sample(c: Charge<unknown>, units: number, ns: number, perSecond = units): Sample {
  return {
    rate: perSecond / (ns / 1e9),
    cost: c.cpu / units,
    busy: c.cpu / ns,
    ...(c.processCpu > 0 ? { processShare: c.processCpu / c.cpu } : {}),
  };
}

async function packets(topo: Topology, v: Variant, o: DataplaneOptions): Promise<Sample> {
  const target = v.targets.udp!;
  await generateUdp(topo, target, o, o.warmSeconds);
  await sleep(200);
  const n0 = readCounter(v.counter);
  const c = await charged(v, () => generateUdp(topo, target, o, o.seconds));
  const delivered = readCounter(v.counter) - n0;
  if (delivered <= 0) throw new Error(`nothing delivered (${c.result.sent} sent)`);
  return sample(c, delivered, c.result.ns);
}

/** Notes worth printing with the results (conntrack table full, for one). */
export const runNotes = new Set<string>();

async function newFlows(topo: Topology, v: Variant, o: DataplaneOptions): Promise<Sample> {
  const target = v.targets.syn!;
  const warm = await generateSyns(topo, target, Math.min(o.warmSeconds, 0.2), synCursor);
  synCursor = warm.next;
  await sleep(200);
  if (v.conntrack) flushConntrack(topo);
  const n0 = readCounter(v.counter);
  const c = await charged(v, () => generateSyns(topo, target, o.synSeconds, synCursor));
  synCursor = c.result.next;
  const delivered = readCounter(v.counter) - n0;
  if (delivered <= 0) throw new Error(`no SYN delivered (${c.result.sent} sent)`);
  const ct = conntrackFill();
  if (v.conntrack && ct.max > 0 && ct.count >= 0.9 * ct.max)
    runNotes.add(`${v.name}: conntrack table ${ct.count}/${ct.max} after a new-flow run (early drop)`);
  return sample(c, delivered, c.result.ns);
}

async function tcp(topo: Topology, v: Variant, o: DataplaneOptions, mode: TcpMode): Promise<Sample> {
  const target = v.targets.tcp!;
  const conns = mode === 'bulk' ? o.streams : o.concurrency;
  await tcpLoad(topo, mode, target, conns, o.warmSeconds);
  await sleep(200);
  const c = await charged(v, () => tcpLoad(topo, mode, target, conns, o.seconds));
  const r = c.result;
  if (r.errors > 0)
    runNotes.add(`${v.name}, tcpload ${mode}: some connections failed ("errors" in the samples)`);
  const units = mode === 'bulk' ? r.bytes / 1e9 : r.done;
  if (units <= 0) throw new Error(`tcpload ${mode}: nothing completed (${r.errors} failed connections)`);
  return { ...sample(c, units, r.ns, mode === 'bulk' ? r.bytes : r.done), errors: r.errors };
}

export function measureFigure(
  id: FigureId,
  topo: Topology,
  v: Variant,
  o: DataplaneOptions,
): Promise<Sample> {
  switch (id) {
    case 'packet':
      return packets(topo, v, o);
    case 'newFlow':
      return newFlows(topo, v, o);
    case 'connection':
      return tcp(topo, v, o, 'conn');
    case 'request':
      return tcp(topo, v, o, 'req');
    case 'throughput':
      return tcp(topo, v, o, 'bulk');
  }
}
