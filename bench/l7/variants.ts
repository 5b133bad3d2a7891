// The three ways the bench's HTTP load balancer is served, all in the balancer namespace
// pinned to CPU 0 (HAProxy inherits the pin: one thread, as nbthread defaults to the CPUs
// it may use):
//   bare     HAProxy on the hand-written bench/l7/haproxy-bare.cfg;
//   manager  src/haproxy's HaproxyManager fed the AmphoraConfig (rendered, checked, started);
//   agent    the whole standalone agent (dist/src/main.js --config): XDP on the VIP and member
//            veths passing HTTP to the stack, HAProxy from the same manager;
//   bare+xdp bare, with an XDP program that passes every frame (bpf/xdp_pass.bpf.o) on the same
//            two veths: what any native XDP program costs HAProxy's traffic on veth.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inNs, run, sleep, spawnTracked } from '../dataplane/shell.js';
import { REPO } from '../dataplane/topology.js';
import { amphoraConfig, LISTENER_ID } from './amphora.js';
import { bareConfig } from './bare.js';
import { descendantsNamed } from './procs.js';
import { ADDR, DEV, NS, PIN_ROOT, PORT } from './topology.js';
import type { VariantName } from './variants-names.js';

export { REFERENCE, VARIANTS, type VariantName } from './variants-names.js';

export interface Running {
  /** The HAProxy master and workers: the processes charged. */
  haproxyPids: number[];
  /** The node process driving HAProxy (manager runner or agent), reported apart; none for bare. */
  controlPid?: number;
  /** The haproxy.cfg HAProxy runs. */
  config: string;
  stop(): Promise<void>;
}

/** Global maxconn as HaproxyManager sets it for this fd limit (src/haproxy/manager.ts). */
export function maxconnHere(): number {
  const line = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  const hard = Number(line?.[1]);
  return Number.isFinite(hard) ? Math.max(100, Math.min(50_000, Math.floor((hard - 1000) / 2))) : 50_000;
}

const listening = (): boolean =>
  inNs(NS.balancer, 'ss', ['-Hltn', 'src', `${ADDR.vip}:${PORT.vip}`]).trim() !== '';

/** SIGTERM, SIGKILL after `ms`; resolves once the process has exited. */
function terminate(child: ChildProcess, ms = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts argv in the balancer namespace on CPU 0; resolves once `ready(line)` and the VIP listens. */
async function startPinned(
  argv: string[],
  ready: ((line: string) => boolean) | undefined,
  failOn: (line: string) => boolean = () => false,
  timeoutMs = 30_000,
): Promise<ChildProcess> {
  const child = spawnTracked(
    'nsenter',
    [`--net=/run/netns/${NS.balancer}`, 'taskset', '-c', '0', ...argv],
    ['ignore', 'pipe', 'pipe'],
  );
  const log: string[] = [];
  let seen = ready === undefined;
  let failed: string | undefined;
  const onLine = (d: Buffer): void => {
    for (const line of d.toString().split('\n').filter(Boolean)) {
      log.push(line);
      if (ready?.(line)) seen = true;
      if (failOn(line)) failed ??= line;
    }
  };
  child.stdout!.on('data', onLine);
  child.stderr!.on('data', onLine);
  const deadline = Date.now() + timeoutMs;
  while (!seen || !listening()) {
    const gone = child.exitCode !== null || child.signalCode !== null;
    if (gone || failed !== undefined || Date.now() > deadline) {
      await terminate(child);
      const why = failed ?? log.slice(-8).join(' / ');
      throw new Error(`${argv[0]!.split('/').pop()} did not start serving: ${why}`);
    }
    await sleep(50);
  }
  return child;
}

function pids(root: ChildProcess): number[] {
  const found = descendantsNamed(root.pid!, 'haproxy');
  if (found.length === 0) throw new Error('no haproxy process found under the started process');
  return found;
}

async function startBare(dir: string): Promise<Running> {
  const file = join(dir, 'bare.cfg');
  writeFileSync(file, bareConfig(maxconnHere()));
  run('haproxy', ['-c', '-q', '-f', file]);
  const child = await startPinned(['haproxy', '-db', '-f', file], undefined);
  return {
    haproxyPids: pids(child),
    config: readFileSync(file, 'utf8'),
    stop: () => terminate(child),
  };
}

/** bare, behind XDP_PASS on the balancer's veths; the bench turns XDP off after every variant. */
async function startBareBehindXdp(dir: string): Promise<Running> {
  const pass = join(REPO, 'bpf', 'xdp_pass.bpf.o');
  for (const dev of [DEV.vip, DEV.mem])
    run('ip', ['-n', NS.balancer, 'link', 'set', 'dev', dev, 'xdpdrv', 'obj', pass, 'sec', 'xdp']);
  return startBare(dir);
}

async function startManager(dir: string): Promise<Running> {
  const file = join(dir, 'amphora.json');
  writeFileSync(file, JSON.stringify(amphoraConfig(), null, 2));
  const runDir = join(dir, 'haproxy'); // the manager makes it, 0700
  // The runner's own extension: .js from dist/ (where the bench runs).
  const runner = fileURLToPath(
    new URL(`./manager-runner${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
  );
  const child = await startPinned(
    [process.execPath, runner, file, runDir, LISTENER_ID],
    (l) => l === 'ready',
  );
  return {
    haproxyPids: pids(child),
    controlPid: child.pid,
    config: readFileSync(join(runDir, 'haproxy.cfg'), 'utf8'),
    stop: () => terminate(child),
  };
}

async function startAgent(dir: string): Promise<Running> {
  const file = join(dir, 'amphora.json');
  writeFileSync(file, JSON.stringify(amphoraConfig(), null, 2));
  const stateDir = join(dir, 'agent');
  const argv = [process.execPath, join(REPO, 'dist', 'src', 'main.js'), '--config', file];
  // The metrics server listens inside the balancer namespace, so a fixed port is free.
  argv.push(
    '--pin-root',
    PIN_ROOT,
    '--state-dir',
    stateDir,
    '--metrics',
    '127.0.0.1:9109',
    '--cleanup-on-exit',
  );
  const child = await startPinned(
    argv,
    (l) => l.includes('agent-ready'),
    (l) => l.includes('"level":"error"'),
  );
  return {
    haproxyPids: pids(child),
    controlPid: child.pid,
    config: readFileSync(join(stateDir, 'haproxy', 'haproxy.cfg'), 'utf8'),
    stop: () => terminate(child),
  };
}

export function startVariant(name: VariantName, dir: string): Promise<Running> {
  const sub = join(dir, name);
  mkdirSync(sub, { recursive: true });
  switch (name) {
    case 'bare':
      return startBare(sub);
    case 'manager':
      return startManager(sub);
    case 'agent':
      return startAgent(sub);
    case 'bare+xdp':
      return startBareBehindXdp(sub);
  }
}
