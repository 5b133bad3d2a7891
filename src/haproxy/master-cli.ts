// What the master CLI's `show proc` says, and waiting on it: the master's reload count and
// failures, and its workers (a reloaded master lists new workers with 0 reloads and the
// old ones still finishing their connections with 1 or more).
import { cliCommand } from './cli.js';

export interface ProcInfo {
  masterPid: number;
  reloads: number;
  failedReloads: number;
  workers: { pid: number; reloads: number }[];
}

export function parseShowProc(text: string): ProcInfo | undefined {
  const master = /^(\d+)\s+master\s+(\d+)(?:\s+\[failed:\s*(\d+)\])?/m.exec(text);
  if (!master) return undefined;
  const workers = [...text.matchAll(/^(\d+)\s+worker\s+(\d+)/gm)].map((m) => ({
    pid: Number(m[1]),
    reloads: Number(m[2]),
  }));
  return {
    masterPid: Number(master[1]),
    reloads: Number(master[2]),
    failedReloads: Number(master[3] ?? 0),
    workers,
  };
}

export async function showProc(masterSocket: string, timeoutMs = 2000): Promise<ProcInfo | undefined> {
  return parseShowProc(await cliCommand(masterSocket, 'show proc', timeoutMs));
}

/** Polls `check` until it returns a value; errors count as "not yet". Undefined at the deadline. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  deadlineMs: number,
  abort: () => boolean = () => false,
  intervalMs = 50,
): Promise<T | undefined> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline && !abort()) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch {
      // not answering yet
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return undefined;
}
