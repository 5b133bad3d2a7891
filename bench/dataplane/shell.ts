// Synchronous process helpers for the data-plane bench: setup and teardown are short
// commands whose failure should stop the bench with the command's own message.
import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

export function run(cmd: string, args: string[], input?: string): string {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 30_000,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/** For teardown: whatever is already gone stays gone. */
export function quiet(cmd: string, args: string[]): void {
  try {
    run(cmd, args);
  } catch {
    /* already gone */
  }
}

/** A command inside a namespace, with that namespace's /sys (ip netns exec remounts it). */
export function inNs(ns: string, cmd: string, args: string[], input?: string): string {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], input);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const children = new Set<ChildProcess>();

/** spawn, remembered until it exits, so that an interrupted bench can kill what it started. */
export function spawnTracked(cmd: string, args: string[], stdio: StdioOptions): ChildProcess {
  const child = spawn(cmd, args, { stdio });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function killTracked(): void {
  for (const c of children) c.kill('SIGKILL');
}
