// Probed member health that outlives the agent process. A restarted agent (SIGKILL, upgrade)
// adopts the pinned rings, in which health checks had taken dead members out; starting every
// member ONLINE again would put them back until max_retries_down probes fail. So the checker
// keeps member id → {status, probe key} in a small JSON file in the agent's state directory
// (tmpfs /run on an amphora: gone after a reboot, like the pins it complements) and seeds a
// new probe from it when the probe is the same one (same key). The pinned maps cannot tell
// "out of the ring by health" from drained or disabled, and know no probe key, hence a file.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorFields, type Logger } from '../../agent/log.js';
import type { ProbedHealth } from './rise-fall.js';

export interface RememberedProbe {
  readonly status: ProbedHealth;
  /** probeKey(spec) of the probe that found `status`. */
  readonly key: string;
}

export type RememberedHealth = ReadonlyMap<string, RememberedProbe>;

/** Format version of the file; another version is ignored like a corrupt file. */
const FORMAT = 1;
/** A file bigger than this is not what we write (a few hundred bytes per member): ignored. */
export const MAX_REMEMBERED_BYTES = 16 << 20;

/** The file is not one this agent wrote. */
export class RememberedHealthError extends Error {
  override readonly name = 'RememberedHealthError';
}

/** The status to start a member's probe with: the remembered one only for the same probe. */
export function initialStatus(remembered: RememberedHealth, memberId: string, key: string): ProbedHealth {
  const r = remembered.get(memberId);
  return r?.key === key ? r.status : 'ONLINE';
}

export function serializeRemembered(remembered: RememberedHealth): string {
  const members: Record<string, RememberedProbe> = {};
  for (const [id, { status, key }] of [...remembered].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    members[id] = { status, key };
  return `${JSON.stringify({ version: FORMAT, members })}\n`;
}

/** The file's content; throws RememberedHealthError unless it is exactly what serializeRemembered writes. */
export function parseRemembered(text: string): Map<string, RememberedProbe> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new RememberedHealthError(`not JSON: ${(err as Error).message}`);
  }
  if (!isObject(doc) || doc.version !== FORMAT || !isObject(doc.members))
    throw new RememberedHealthError(`not a version ${FORMAT} member health file`);
  const out = new Map<string, RememberedProbe>();
  for (const [id, entry] of Object.entries(doc.members)) {
    if (
      !isObject(entry) ||
      (entry.status !== 'ONLINE' && entry.status !== 'ERROR') ||
      typeof entry.key !== 'string'
    )
      throw new RememberedHealthError(`member ${id}: not {status: ONLINE|ERROR, key}`);
    out.set(id, { status: entry.status, key: entry.key });
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * What the previous agent remembered; empty when there is no file (first start). A file that
 * cannot be read or parsed is logged (remembered_health_ignored) and ignored: every member then
 * starts ONLINE, as without the file. Synchronous: read once, before the first probe.
 */
export function readRememberedHealth(file: string, log: Logger): Map<string, RememberedProbe> {
  try {
    const size = statSync(file).size;
    if (size > MAX_REMEMBERED_BYTES)
      throw new RememberedHealthError(`${size} bytes, more than ${MAX_REMEMBERED_BYTES}`);
    return parseRemembered(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    log.warn('remembered_health_ignored', { file, ...errorFields(err) });
    return new Map();
  }
}

export interface HealthMemoryOptions {
  file: string;
  log: Logger;
  /** What to remember now; called when a write starts. */
  snapshot: () => RememberedHealth;
  /** Changes within this time are written once (default 100 ms: a SIGKILL loses at most that). */
  coalesceMs?: number;
}

/**
 * Writes the snapshot to the file after changes: coalesced (one write per `coalesceMs` at most,
 * never two at once), skipped when the content is what the file already holds, atomic
 * (0600 temporary file renamed over it). A failed write is logged once per distinct error and
 * retried at the next change; it never throws into the agent.
 */
export class HealthMemory {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private written: string | undefined;
  private lastError: string | undefined;
  private readonly coalesceMs: number;

  constructor(private readonly opts: HealthMemoryOptions) {
    this.coalesceMs = opts.coalesceMs ?? 100;
    // No file and nothing to remember: no file is right, so an agent without monitors writes none.
    if (!existsSync(opts.file)) this.written = serializeRemembered(new Map());
  }

  /** Something the snapshot reflects may have changed. */
  changed(): void {
    this.dirty = true;
    if (this.timer || this.writing) return; // picked up when the timer fires or the write ends
    this.timer = setTimeout(() => this.writeNow(), this.coalesceMs);
  }

  /** Writes a pending change now and waits for every write (for a clean stop). */
  async flush(): Promise<void> {
    for (;;) {
      clearTimeout(this.timer);
      this.timer = undefined;
      if (this.writing)
        await this.writing; // its end may queue the next change: loop
      else if (this.dirty) this.writeNow();
      else return;
    }
  }

  private writeNow(): void {
    this.timer = undefined;
    this.dirty = false;
    const snapshot = this.opts.snapshot();
    const text = serializeRemembered(snapshot);
    if (text === this.written) return;
    const summary = {
      members: snapshot.size,
      in_error: [...snapshot.values()].filter((r) => r.status === 'ERROR').length,
    };
    this.writing = this.write(text, summary).finally(() => {
      this.writing = undefined;
      if (this.dirty) this.changed();
    });
  }

  private async write(text: string, summary: { members: number; in_error: number }): Promise<void> {
    const { file, log } = this.opts;
    const tmp = `${file}.tmp`;
    try {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await rm(tmp, { force: true }); // a leftover of a killed agent may have another mode
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, file);
      // Only after changes (coalesced): rare enough for a line, and shows what a restart will find.
      log.info('remembered_health_written', { file, ...summary });
      this.written = text;
      this.lastError = undefined;
    } catch (err) {
      const fields = errorFields(err);
      if (fields.error !== this.lastError) log.warn('remembered_health_not_written', { file, ...fields });
      this.lastError = String(fields.error);
    }
  }
}
