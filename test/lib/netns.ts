// Network namespaces for tests: create, run commands inside (nsenter, so the host's
// bpffs stays visible), spawn long-lived processes, and remove everything afterwards.
// Every name a test creates must start with its prefix; nothing is created in the
// root namespace.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Fail with a message naming the missing capability or tool. */
export function requireNetnsPrivileges(): void {
  if (process.getuid?.() !== 0)
    throw new Error('this test needs root (CAP_NET_ADMIN, CAP_BPF, CAP_SYS_ADMIN)');
  for (const tool of ['ip', 'nsenter', 'ethtool']) {
    try {
      sh('which', [tool]);
    } catch {
      throw new Error(`this test needs ${tool} on PATH`);
    }
  }
  try {
    sh('mountpoint', ['-q', '/sys/fs/bpf']);
  } catch {
    sh('mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf']);
  }
}

export class Netns {
  private readonly names: string[] = [];
  private readonly children: ChildProcess[] = [];

  constructor(readonly prefix: string) {}

  /** Create namespace `name` (must start with the prefix), with lo up. Removes a leftover first. */
  add(name: string): string {
    if (!name.startsWith(this.prefix)) throw new Error(`${name} does not start with ${this.prefix}`);
    if (existsSync(`/run/netns/${name}`)) sh('ip', ['netns', 'del', name]);
    sh('ip', ['netns', 'add', name]);
    this.names.push(name);
    this.ip(name, 'link', 'set', 'lo', 'up');
    return name;
  }

  ip(ns: string, ...args: string[]): string {
    return sh('ip', ['-n', ns, ...args]);
  }

  /** Run a command inside `ns` with nsenter (mount namespace and /sys untouched). */
  exec(ns: string, cmd: string, args: string[], input?: string): string {
    return sh('nsenter', [`--net=/run/netns/${ns}`, cmd, ...args], input);
  }

  /** A long-lived process inside `ns`; killed by cleanup(). */
  spawn(ns: string, cmd: string, args: string[]): ChildProcess {
    const child = spawn('nsenter', [`--net=/run/netns/${ns}`, cmd, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.children.push(child);
    return child;
  }

  /** A veth pair: `a` in namespace `nsA`, `b` in `nsB`, both up. */
  veth(nsA: string, a: string, nsB: string, b: string): void {
    this.ip(nsA, 'link', 'add', a, 'type', 'veth', 'peer', 'name', b, 'netns', nsB);
    this.ip(nsA, 'link', 'set', a, 'up');
    this.ip(nsB, 'link', 'set', b, 'up');
  }

  async cleanup(): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    }
    for (const name of this.names.reverse()) {
      try {
        sh('ip', ['netns', 'del', name]);
      } catch {
        // already gone
      }
    }
  }
}

/** Wait for `check` to return a value (not undefined), polling; bounded in tries and time. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  tries = 100,
  ms = 100,
  limitMs = 20_000,
): Promise<T> {
  let last: unknown;
  const deadline = Date.now() + limitMs;
  for (let i = 0; i < tries && Date.now() < deadline; i++) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, ms));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
