// Which processes to charge: the HAProxy processes (master and workers) under a root
// process, found through the parent links in /proc, and their CPU time.
import { readdirSync, readFileSync } from 'node:fs';

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
}

function readProcs(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // comm may hold spaces and parentheses: the fields after it start at the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      out.push({ pid: Number(entry), ppid, comm });
    } catch {
      /* ended between the listing and the read */
    }
  }
  return out;
}

/** `root` and every process below it whose name is `comm` (the root only if it matches). */
export function descendantsNamed(root: number, comm: string): number[] {
  const procs = readProcs();
  const children = new Map<number, Proc[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found: number[] = [];
  const self = procs.find((p) => p.pid === root);
  if (self?.comm === comm) found.push(root);
  const queue = [root];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    for (const c of children.get(queue[i]!) ?? []) {
      if (c.comm === comm) found.push(c.pid);
      queue.push(c.pid);
    }
  }
  return found.sort((a, b) => a - b);
}
