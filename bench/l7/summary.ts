// From the HTTP bench's raw runs to what is reported: per figure and variant, medians with
// min and max over the rounds, and ratios against bare HAProxy paired round by round (the
// variants of one round ran back to back). The API-change figures likewise. Pure.
import { spread, type Failure, type Spread } from '../dataplane/summary.js';
import { REFERENCE, VARIANTS, type VariantName } from './variants-names.js';

export const L7_FIGURES = [
  { id: 'keepalive', title: 'HTTP, 16 keep-alive connections', connections: 16, close: false },
  { id: 'close', title: 'HTTP, a new connection per request, 16 at once', connections: 16, close: true },
  {
    id: 'serial',
    title: 'HTTP, one keep-alive connection, one request at a time',
    connections: 1,
    close: false,
  },
] as const;
export type L7FigureId = (typeof L7_FIGURES)[number]['id'];

export interface L7Options {
  rounds: number;
  /** Length of each wrk run, whole seconds. */
  seconds: number;
  /** Untimed wrk run after each start, whole seconds. */
  warmSeconds: number;
}

/** One wrk run through one variant. */
export interface L7Sample {
  rps: number;
  p50Us: number;
  p99Us: number;
  /** CPU µs of the HAProxy processes (master and workers) per request. */
  cpuUs: number;
  /** Share of one CPU the HAProxy processes used during the run. */
  busy: number;
  /** CPU µs per request of the node process beside HAProxy (manager runner, agent). */
  controlUs?: number;
  /** Socket errors and non-2xx/3xx answers wrk counted. */
  errors: number;
}

export type L7Outcome = L7Sample | Failure;

export interface RawL7Run {
  date: string;
  quick: boolean;
  machine: Record<string, string>;
  options: L7Options;
  method: string[];
  /** The haproxy.cfg each variant ran (the first round's). */
  configs: Partial<Record<VariantName, string>>;
  /** samples[variant][figure][round] */
  samples: Record<string, Partial<Record<L7FigureId, L7Outcome[]>>>;
}

export interface L7Row {
  variant: string;
  rps?: Spread;
  p50Us?: Spread;
  p99Us?: Spread;
  cpuUs?: Spread;
  busy?: Spread;
  controlUs?: Spread;
  /** rps(variant) / rps(bare), per round. */
  rpsVsBare?: Spread;
  /** cpuUs(variant) / cpuUs(bare), per round. */
  cpuVsBare?: Spread;
  /** Requests that failed, summed over the rounds. */
  errors: number;
  failures: string[];
}

export interface L7FigureResult {
  id: L7FigureId;
  title: string;
  rows: L7Row[];
}

export interface L7Result extends RawL7Run {
  reference: string;
  figures: L7FigureResult[];
}

export const isL7Sample = (o: L7Outcome | undefined): o is L7Sample => !!o && !('error' in o);

/** f(a) / f(b) for every round in which both succeeded. */
export function pairedRatio(a: L7Outcome[] = [], b: L7Outcome[] = [], f: (s: L7Sample) => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (isL7Sample(x) && isL7Sample(y) && f(y) > 0) out.push(f(x) / f(y));
  }
  return out;
}

function row(run: RawL7Run, variant: string, figure: L7FigureId): L7Row {
  const outcomes = run.samples[variant]?.[figure] ?? [];
  const ref = run.samples[REFERENCE]?.[figure];
  const ok = outcomes.filter(isL7Sample);
  const of = (f: (s: L7Sample) => number | undefined): Spread | undefined =>
    spread(ok.flatMap((s) => (f(s) === undefined ? [] : [f(s)!])));
  return {
    variant,
    rps: of((s) => s.rps),
    p50Us: of((s) => s.p50Us),
    p99Us: of((s) => s.p99Us),
    cpuUs: of((s) => s.cpuUs),
    busy: of((s) => s.busy),
    controlUs: of((s) => s.controlUs),
    rpsVsBare: variant === REFERENCE ? undefined : spread(pairedRatio(outcomes, ref, (s) => s.rps)),
    cpuVsBare: variant === REFERENCE ? undefined : spread(pairedRatio(outcomes, ref, (s) => s.cpuUs)),
    errors: ok.reduce((n, s) => n + s.errors, 0),
    failures: [...new Set(outcomes.filter((o) => !isL7Sample(o)).map((o) => (o as Failure).error))],
  };
}

export function summarizeL7(run: RawL7Run): L7Result {
  const variants = VARIANTS.filter((v) => v in run.samples);
  return {
    ...run,
    reference: REFERENCE,
    figures: L7_FIGURES.map((f) => ({
      id: f.id,
      title: f.title,
      rows: variants.map((v) => row(run, v, f.id)),
    })),
  };
}

/** Whether anything failed: a run that did not complete, or requests wrk counted as errors. */
export function l7Failed(r: L7Result): boolean {
  return r.figures.some((f) => f.rows.some((row) => row.failures.length > 0 || row.errors > 0));
}

// --- the time from an API change to the new behaviour being served ---

export const API_CHANGES = [
  { id: 'l7Reject', title: 'POST L7 policy REJECT (PATH rule) → client gets 403' },
  { id: 'l7Delete', title: 'DELETE that L7 policy → client gets 200 again' },
  { id: 'memberAdd', title: 'POST member → member receives traffic' },
  { id: 'memberDisable', title: 'PUT member admin_state_up false → its last request' },
  { id: 'memberEnable', title: 'PUT member admin_state_up true → member receives traffic' },
  { id: 'listenerReload', title: 'PUT listener insert_headers (reload) → member sees X-Forwarded-For' },
] as const;
export type ApiChangeId = (typeof API_CHANGES)[number]['id'];

/** One change: ms from sending the API call to the behaviour served, and to ACTIVE. */
export interface ChangeSample {
  servedMs: number;
  activeMs: number;
}

export type ChangeOutcome = ChangeSample | Failure;

export interface RawApiChange {
  date: string;
  quick: boolean;
  rounds: number;
  method: string[];
  samples: Partial<Record<ApiChangeId, ChangeOutcome[]>>;
}

export interface ApiChangeRow {
  id: ApiChangeId;
  title: string;
  served?: Spread;
  active?: Spread;
  failures: string[];
}

export interface ApiChangeResult extends RawApiChange {
  rows: ApiChangeRow[];
}

const isChange = (o: ChangeOutcome): o is ChangeSample => !('error' in o);

export function summarizeApiChange(run: RawApiChange): ApiChangeResult {
  return {
    ...run,
    rows: API_CHANGES.map((c) => {
      const outcomes = run.samples[c.id] ?? [];
      const ok = outcomes.filter(isChange);
      return {
        id: c.id,
        title: c.title,
        served: spread(ok.map((s) => s.servedMs)),
        active: spread(ok.map((s) => s.activeMs)),
        failures: [...new Set(outcomes.filter((o) => !isChange(o)).map((o) => (o as Failure).error))],
      };
    }),
  };
}
