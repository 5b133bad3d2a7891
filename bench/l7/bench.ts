// The HTTP benchmark (`--only haproxy`): requests per second, latency and HAProxy's CPU
// per request through the agent's HAProxy path against bare HAProxy on a hand-written
// configuration of the same load balancer. Each round starts every variant afresh, in an
// order that rotates each round so that drift on the machine hits them all alike, and runs
// every figure on it. A failed run is recorded as failed and the bench goes on; namespaces
// and processes are removed on every exit, Ctrl-C included.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processCpuNs } from '../dataplane/napi.js';
import { killTracked, quiet, run, sleep } from '../dataplane/shell.js';
import { machineFacts } from '../machine.js';
import { startMembers } from './members.js';
import {
  L7_FIGURES,
  type L7FigureId,
  type L7Options,
  type L7Outcome,
  type L7Sample,
  type RawL7Run,
} from './summary.js';
import { buildTopology, destroyTopology, DEV, killInNamespace, NS } from './topology.js';
import { startVariant, VARIANTS, type Running } from './variants.js';
import { runWrk, writeWrkScript, type WrkRun } from './wrk.js';

export const L7_METHOD = [
  'Client, balancer and members are network namespaces (vxlc, vxlb, vxlm) joined by veth pairs in ' +
    '10.218.0.0/16. The load balancer: an HTTP listener on the VIP with X-Forwarded-For, a default pool ' +
    'of four members (round robin) and an L7 policy sending /api to a second pool; the traffic asks for / .',
  'bare: HAProxy on bench/l7/haproxy-bare.cfg, written by hand. manager: the AmphoraConfig of the same ' +
    'load balancer (bench/l7/amphora.ts) given to HaproxyManager (src/haproxy), which renders, checks and ' +
    'starts HAProxy as the agent does. agent: the standalone agent (dist/src/main.js --config) with that ' +
    'AmphoraConfig: XDP on both balancer veths passing the HTTP traffic to the stack, HAProxy from the ' +
    'same manager. bare+xdp: bare behind an XDP program that passes every frame on the same two veths. ' +
    'The rendered configuration differs from the hand-written one by what the agent needs ' +
    'to run HAProxy (stats socket with expose-fd, pid file, server-state file) and Octavia’s defaults ' +
    '(retries, redispatch, timeouts in ms, …); both are kept with the results (`configs`).',
  'The balancer’s processes run on CPU 0 (taskset; HAProxy then runs one thread); wrk (one thread) and ' +
    'the members (one HAProxy answering `http-request return` on the four addresses) on CPU 1. ' +
    'HAProxy CPU is the time its master and workers spent on a CPU (/proc/<pid>/task/*/schedstat) ' +
    'from just before a run to 100 ms after it, per request; the kernel’s receive work is not in it. ' +
    'The agent’s or manager runner’s own node process is reported apart.',
  'Each variant starts afresh each round and takes an untimed wrk run first; the variants’ order ' +
    'rotates each round; medians with min and max over the rounds; ratios to bare are paired within a round.',
];

const describe = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim().slice(0, 400);

/** One figure on a running variant: wrk for `seconds`, HAProxy's CPU charged around it. */
async function measure(v: Running, script: string, r: WrkRun): Promise<L7Sample> {
  const cpu0 = processCpuNs(v.haproxyPids);
  const control0 = v.controlPid ? processCpuNs([v.controlPid]) : 0;
  const w = await runWrk(script, r);
  await sleep(100);
  const cpu = processCpuNs(v.haproxyPids) - cpu0;
  const control = v.controlPid ? processCpuNs([v.controlPid]) - control0 : 0;
  if (w.requests <= 0) throw new Error(`wrk completed no request (${w.errors} errors)`);
  return {
    rps: w.requests / (w.durationUs / 1e6),
    p50Us: w.latencyUs.p50,
    p99Us: w.latencyUs.p99,
    cpuUs: cpu / 1000 / w.requests,
    busy: cpu / (w.durationUs * 1000),
    ...(v.controlPid ? { controlUs: control / 1000 / w.requests } : {}),
    errors: w.errors,
  };
}

export async function l7Bench(opts: L7Options, quick = false): Promise<RawL7Run> {
  const dir = mkdtempSync(join(tmpdir(), 'vxl-bench-'));
  let running: Running | undefined;
  const onSignal = (): void => {
    killTracked();
    destroyTopology();
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const samples: RawL7Run['samples'] = Object.fromEntries(VARIANTS.map((v) => [v, {}]));
  const configs: RawL7Run['configs'] = {};
  const date = new Date().toISOString();
  const record = (v: string, f: L7FigureId, o: L7Outcome): void => {
    (samples[v]![f] ??= []).push(o);
  };
  try {
    if (wrkVersion() === 'not installed') throw new Error('wrk is not installed (apt-get install wrk)');
    buildTopology();
    const script = writeWrkScript(dir);
    await startMembers(dir);
    for (let r = 0; r < opts.rounds; r++) {
      for (let i = 0; i < VARIANTS.length; i++) {
        const name = VARIANTS[(i + r) % VARIANTS.length]!;
        const t0 = Date.now();
        try {
          running = await startVariant(name, join(dir, `round${r}`));
          configs[name] ??= running.config;
          await runWrk(script, { connections: 16, seconds: opts.warmSeconds, close: false });
          for (const f of L7_FIGURES) {
            try {
              const s = await measure(running, script, { ...f, seconds: opts.seconds });
              record(name, f.id, s);
            } catch (err) {
              record(name, f.id, { error: describe(err) });
            }
          }
        } catch (err) {
          for (const f of L7_FIGURES) record(name, f.id, { error: `setup: ${describe(err)}` });
        } finally {
          await running?.stop();
          running = undefined;
          // Nothing of this variant may serve the next one: a lingering HAProxy, an XDP
          // program an agent killed mid-stop left attached.
          killInNamespace(NS.balancer);
          for (const dev of [DEV.vip, DEV.mem])
            quiet('ip', ['-n', NS.balancer, 'link', 'set', 'dev', dev, 'xdp', 'off']);
          await sleep(100);
        }
        console.error(
          `haproxy bench: round ${r + 1}/${opts.rounds}: ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
        );
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await running?.stop();
    killTracked();
    destroyTopology();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    date,
    quick,
    machine: { ...machineFacts(), wrk: wrkVersion() },
    options: { ...opts },
    method: L7_METHOD,
    configs,
    samples,
  };
}

/** `wrk -v` prints its version and exits 1. */
function wrkVersion(): string {
  const out = run('sh', ['-c', 'command -v wrk >/dev/null && wrk -v 2>&1; true']);
  return out.trim() === '' ? 'not installed' : (/wrk (\S+)/.exec(out)?.[1] ?? 'unknown');
}
