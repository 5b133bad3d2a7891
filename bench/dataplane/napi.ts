// Threaded NAPI: each veth queue's receive work runs in a kthread `napi/<dev>-<id>`,
// so a namespace's forwarding cost is those threads' CPU time, wherever the sender runs.
import { readdirSync, readFileSync } from 'node:fs';
import { inNs, run } from './shell.js';

export const CPU_METHOD =
  'CPU time of the balancer veths’ threaded-NAPI kthreads (pinned to CPU 0) plus that of the ' +
  'balancer’s own processes (the Velox agent, HAProxy), from /proc/<pid>/task/*/schedstat';

export function enableThreaded(ns: string, dev: string): void {
  inNs(ns, 'sh', ['-c', `echo 1 > /sys/class/net/${dev}/threaded`]);
}

/** Pids of the NAPI kthreads of these devices (names are global, so devices are unique). */
export function napiThreads(devs: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (devs.some((d) => comm.startsWith(`napi/${d}-`))) pids.push(Number(entry));
  }
  return pids.sort((a, b) => a - b);
}

export function pin(pids: number[], cpu: number): void {
  for (const pid of pids) run('taskset', ['-pc', String(cpu), String(pid)]);
}

/** Nanoseconds these threads have spent on a CPU (first field of schedstat). */
export function cpuNs(pids: number[]): number {
  let total = 0;
  for (const pid of pids) total += Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  return total;
}

/** Nanoseconds all threads of these processes have spent on a CPU (0 for one that is gone). */
export function processCpuNs(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        /* the thread ended between the listing and the read */
      }
    }
  }
  return total;
}
