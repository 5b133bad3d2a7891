// What every probe returns, and the settle-once plumbing they share.
import type { Socket } from 'node:net';

export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export const PASSED: ProbeResult = { ok: true };
export const TIMED_OUT: ProbeResult = { ok: false, reason: 'timed out' };

export function failed(reason: unknown): ProbeResult {
  if (reason instanceof Error) {
    const code = (reason as NodeJS.ErrnoException).code;
    return { ok: false, reason: code ? `${code}: ${reason.message}` : reason.message };
  }
  return { ok: false, reason: String(reason) };
}

/**
 * Runs `start`, which begins the probe's I/O and returns its cleanup. `finish` settles the
 * result once and runs the cleanup; an abort (the timeout, or the probe being stopped)
 * finishes with `onAbort`. Never rejects.
 */
export function settleOnce(
  signal: AbortSignal,
  onAbort: ProbeResult,
  start: (finish: (result: ProbeResult) => void) => () => void,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(onAbort);
    let cleanup: (() => void) | undefined;
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', abort);
      cleanup?.();
      resolve(result);
    };
    const abort = (): void => finish(onAbort);
    signal.addEventListener('abort', abort, { once: true });
    try {
      cleanup = start(finish);
    } catch (err) {
      finish(failed(err));
    }
    if (settled) cleanup?.(); // finished synchronously, before cleanup was known
  });
}

/**
 * Closes a probe's TCP socket with RST once connected, as HAProxy does for its checks, so
 * that thousands of probes leave no TIME_WAIT sockets behind. Late errors are swallowed.
 */
export function closeSocket(socket: Socket): void {
  socket.on('error', () => {});
  if (socket.destroyed) return;
  if (socket.connecting) return void socket.destroy();
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy(); // its handle was taken over (TLS): no RST possible from here
  }
}
