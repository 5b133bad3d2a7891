// The data-plane benchmark: the balancer's CPU cost per forwarded packet on established
// UDP flows, for five ways of forwarding, interleaved over rounds so that drift on the
// machine hits them all alike. Cost = CPU time of the balancer's NAPI threads / packets
// counted where they land.
import { readCounter } from './counter.js';
import { CPU_METHOD, cpuNs, napiThreads, pin } from './napi.js';
import { killTracked, sleep, spawnTracked } from './shell.js';
import { ADDR, BALANCER_DEVS, buildTopology, destroyTopology, DEV, NS, type Topology } from './topology.js';
import { KERNEL, variants, XDP_FWD, type Variant } from './variants.js';

export interface DataplaneOptions {
  rounds: number;
  seconds: number;
  flows: number;
  payload: number;
}

interface Sample {
  pps: number;
  nsPerPacket: number;
  busy: number; // share of one CPU the balancer's threads used: below ~0.95 it was not saturated
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface DataplaneResult {
  options: DataplaneOptions;
  method: string;
  rows: {
    name: string;
    pps: Spread;
    nsPerPacket: Spread;
    busy: Spread;
    vsKernel: Spread;
    vsXdpFwd: Spread;
  }[];
}

export function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)] ?? NaN, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}

/** Runs the generator in the client namespace on CPU 1; resolves with its own report. */
function generate(topo: Topology, v: Variant, opts: DataplaneOptions, seconds: number) {
  const args = [
    `--net=/run/netns/${NS.client}`,
    'taskset',
    '-c',
    '1',
    topo.udpgen,
    DEV.client,
    topo.clientMac,
    topo.vipMac,
    ADDR.client,
    v.target.address,
    String(v.target.port),
    String(opts.flows),
    String(seconds),
    '20000',
    String(opts.payload),
  ];
  return new Promise<{ sent: number; ns: number }>((resolve, reject) => {
    const child = spawnTracked('nsenter', args, ['ignore', 'pipe', 'pipe']);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 10) * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out) as { sent: number; ns: number });
      else reject(new Error(`udpgen exited ${code}: ${err.trim()}`));
    });
  });
}

async function measure(topo: Topology, v: Variant, opts: DataplaneOptions): Promise<Sample> {
  await v.setup(topo);
  try {
    // Attaching XDP can recreate the NAPI threads: pin whatever exists now.
    pin(napiThreads(BALANCER_DEVS), 0);
    pin(napiThreads([DEV.member]), 1);
    await generate(topo, v, opts, 0.5); // flows established, neighbours resolved
    await sleep(200);
    const threads = napiThreads(BALANCER_DEVS);
    const cpu0 = cpuNs(threads);
    const n0 = readCounter(v.counter);
    const gen = await generate(topo, v, opts, opts.seconds);
    await sleep(200); // in-flight packets land
    const cpu1 = cpuNs(threads);
    const n1 = readCounter(v.counter);
    if (napiThreads(BALANCER_DEVS).join() !== threads.join())
      throw new Error(`${v.name}: NAPI threads changed`);
    const delivered = n1 - n0;
    if (delivered <= 0) throw new Error(`${v.name}: nothing delivered (${gen.sent} sent)`);
    return {
      pps: delivered / (gen.ns / 1e9),
      nsPerPacket: (cpu1 - cpu0) / delivered,
      busy: (cpu1 - cpu0) / gen.ns,
    };
  } finally {
    await v.teardown();
  }
}

export async function dataplaneBench(opts: DataplaneOptions): Promise<DataplaneResult> {
  const vs = variants();
  let topo: Topology | undefined;
  // Ctrl-C mid-run: take everything down before exiting (namespaces carry links,
  // programs and nft tables with them; the agent and the generator are killed).
  const onSignal = (): void => {
    killTracked();
    destroyTopology(topo);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const samples = new Map<string, Sample[]>(vs.map((v) => [v.name, []]));
  try {
    topo = buildTopology();
    for (let r = 0; r < opts.rounds; r++) {
      // Rotate the order each round so no variant always runs first or last.
      for (let i = 0; i < vs.length; i++) {
        const v = vs[(i + r) % vs.length]!;
        samples.get(v.name)!.push(await measure(topo, v, opts));
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const v of vs) await v.teardown();
    destroyTopology(topo);
  }
  const ratio = (name: string, ref: string): number[] =>
    samples.get(name)!.map((s, i) => s.nsPerPacket / samples.get(ref)![i]!.nsPerPacket);
  return {
    options: opts,
    method: CPU_METHOD,
    rows: vs.map((v) => ({
      name: v.name,
      pps: spread(samples.get(v.name)!.map((s) => s.pps)),
      nsPerPacket: spread(samples.get(v.name)!.map((s) => s.nsPerPacket)),
      busy: spread(samples.get(v.name)!.map((s) => s.busy)),
      vsKernel: spread(ratio(v.name, KERNEL)),
      vsXdpFwd: spread(ratio(v.name, XDP_FWD)),
    })),
  };
}

const cell = (s: Spread, digits: number, scale = 1): string =>
  `${(s.median * scale).toFixed(digits)} (${(s.min * scale).toFixed(digits)}–${(s.max * scale).toFixed(digits)})`;

export function dataplaneTable(r: DataplaneResult): string {
  const o = r.options;
  return [
    `\nData plane: UDP, ${o.flows} established flows, ${o.payload}-byte payloads, ${o.seconds} s per run, ` +
      `${o.rounds} interleaved rounds; median (min–max). Balancer CPU: ${r.method}. ` +
      'Packets counted where they land (member veth; the balancer itself for XDP_DROP). ' +
      'Traffic: prebuilt frames from one CPU; where the balancer is not busy ~100%, its cost per packet ' +
      'includes waking up for small batches.',
    '\n| data plane | delivered Mpps | balancer ns/packet | balancer CPU busy % | × kernel forwarding | × XDP forwarder |',
    '|---|---|---|---|---|---|',
    ...r.rows.map(
      (row) =>
        `| ${row.name} | ${cell(row.pps, 2, 1e-6)} | ${cell(row.nsPerPacket, 0)} | ${cell(row.busy, 0, 100)} | ${cell(row.vsKernel, 2)} | ${cell(row.vsXdpFwd, 2)} |`,
    ),
  ].join('\n');
}
