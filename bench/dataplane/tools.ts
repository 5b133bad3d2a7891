// The bench's C tools, run in their namespaces on CPU 1 (the balancer has CPU 0): the
// frame generators and the TCP client report JSON on exit and are killed if they overrun;
// the members' server runs for the whole bench.
import type { ChildProcess } from 'node:child_process';
import { inNs, spawnTracked } from './shell.js';
import { ADDR, DEV, NS, PORT, type Topology } from './topology.js';

export interface Target {
  address: string;
  port: number;
}

/** Runs argv in `ns` on CPU 1; resolves with the JSON it printed. Killed after seconds + 10. */
function runJson<T>(ns: string, argv: string[], seconds: number): Promise<T> {
  const args = [`--net=/run/netns/${ns}`, 'taskset', '-c', '1', ...argv];
  return new Promise<T>((resolve, reject) => {
    const child = spawnTracked('nsenter', args, ['ignore', 'pipe', 'pipe']);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 10) * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const name = argv[0]!.split('/').pop();
      if (code === 0) resolve(JSON.parse(out) as T);
      else reject(new Error(`${name} exited ${code ?? signal}: ${err.trim()}`));
    });
  });
}

export interface GenReport {
  sent: number;
  ns: number;
}

/** UDP frames of `flows` established flows to `target`, as fast as one CPU sends them. */
export function generateUdp(
  topo: Topology,
  target: Target,
  o: { flows: number; payload: number },
  seconds: number,
): Promise<GenReport> {
  const argv = [topo.bin.udpgen, DEV.client, topo.clientMac, topo.vipMac, ADDR.client];
  argv.push(
    target.address,
    String(target.port),
    String(o.flows),
    String(seconds),
    '20000',
    String(o.payload),
  );
  return runJson(NS.client, argv, seconds);
}

/** SYNs from tuples `start`, `start + 1`, … (each new to the balancer); reports where it stopped. */
export function generateSyns(
  topo: Topology,
  target: Target,
  seconds: number,
  start: number,
): Promise<GenReport & { next: number }> {
  const argv = [topo.bin.syngen, DEV.client, topo.clientMac, topo.vipMac, ADDR.synNet];
  argv.push(target.address, String(target.port), String(seconds), String(start));
  return runJson(NS.client, argv, seconds);
}

export type TcpMode = 'conn' | 'req' | 'bulk';

export interface TcpReport {
  done: number;
  bytes: number;
  errors: number;
  ns: number;
}

export function tcpLoad(
  topo: Topology,
  mode: TcpMode,
  target: Target,
  concurrency: number,
  seconds: number,
): Promise<TcpReport> {
  const argv = [topo.bin.tcpload, mode, target.address, String(target.port), String(concurrency)];
  return runJson(NS.client, [...argv, String(seconds)], seconds);
}

/** Empties the balancer's conntrack table. */
export function flushConntrack(topo: Topology): void {
  inNs(NS.balancer, topo.bin.ctflush, []);
}

/** Entries in the balancer's conntrack table and its limit (0 and 0 before conntrack is used). */
export function conntrackFill(): { count: number; max: number } {
  const read = (key: string): number => {
    try {
      return Number(inNs(NS.balancer, 'sysctl', ['-n', key]).trim());
    } catch {
      return 0;
    }
  };
  return { count: read('net.netfilter.nf_conntrack_count'), max: read('net.netfilter.nf_conntrack_max') };
}

/** tcpserve on every member address; resolves once it listens. */
export function startMemberServer(topo: Topology, timeoutMs = 5000): Promise<ChildProcess> {
  const argv = [`--net=/run/netns/${NS.member}`, 'taskset', '-c', '1', topo.bin.tcpserve];
  const child = spawnTracked('nsenter', [...argv, String(PORT.tcp.member)], ['ignore', 'pipe', 'pipe']);
  return new Promise((resolve, reject) => {
    let err = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`tcpserve: ${why} ${err.trim()}`));
    };
    const timer = setTimeout(() => fail('not listening in time'), timeoutMs);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => fail(`exited ${code}`));
    child.stdout!.once('data', () => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(child);
    });
  });
}
