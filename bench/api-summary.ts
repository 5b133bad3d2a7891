// The API benchmark's numbers: percentiles of one run's latencies, rounds reduced to
// median (min–max), and the Markdown table. Pure.
import { cell } from './dataplane/report.js';
import { spread, type Spread } from './dataplane/summary.js';

export interface ApiOptions {
  rounds: number;
  /** Length of each timed list or show run. */
  seconds: number;
  /** Requests in flight at once (keep-alive connections) for list, show and concurrent creates. */
  concurrency: number;
  /** How many objects of each resource the database holds when it is measured. */
  sizes: number[];
}

export type ApiOp = 'create' | 'list' | 'show';

/** One timed run in one round. */
export interface ApiSample {
  resource: string;
  op: ApiOp;
  /** What a reader sees: `GET /v2/lbaas/loadbalancers/{id}`. */
  label: string;
  size: number;
  concurrency: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Unexpected answers, distinct, as `status METHOD path: body`. */
  errors: string[];
}

export interface ApiRow {
  resource: string;
  op: ApiOp;
  label: string;
  size: number;
  concurrency: number;
  /** Requests over all rounds. */
  requests: number;
  rps?: Spread;
  p50Ms?: Spread;
  p99Ms?: Spread;
  failures: string[];
}

export interface ApiResult {
  date: string;
  quick: boolean;
  machine: Record<string, string>;
  options: ApiOptions;
  method: string[];
  rows: ApiRow[];
}

/** Nearest-rank percentile (the smallest value with at least p % of values at or below it). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of no values');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], not ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

/** A run's sample: rate over the time requests were in flight, p50 and p99 latency. */
export function sampleOf(
  what: Pick<ApiSample, 'resource' | 'op' | 'label' | 'size' | 'concurrency'>,
  latenciesMs: readonly number[],
  busyMs: number,
  errors: string[],
): ApiSample {
  const ok = latenciesMs.length > 0 && busyMs > 0;
  return {
    ...what,
    requests: latenciesMs.length,
    rps: ok ? (latenciesMs.length * 1000) / busyMs : 0,
    p50Ms: ok ? percentile(latenciesMs, 50) : 0,
    p99Ms: ok ? percentile(latenciesMs, 99) : 0,
    errors,
  };
}

/**
 * One row per (resource, operation, size), in the order first seen. A round whose run
 * had an error does not count towards the figures: its errors are the row's failures.
 */
export function summarizeApi(rounds: readonly ApiSample[][]): ApiRow[] {
  const groups = new Map<string, ApiSample[]>();
  for (const s of rounds.flat()) {
    const key = `${s.resource} ${s.op} ${s.size}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((samples) => {
    const good = samples.filter((s) => s.errors.length === 0 && s.requests > 0);
    const first = samples[0]!;
    const row: ApiRow = {
      resource: first.resource,
      op: first.op,
      label: first.label,
      size: first.size,
      concurrency: first.concurrency,
      requests: samples.reduce((n, s) => n + s.requests, 0),
      failures: [...new Set(samples.flatMap((s) => s.errors))],
    };
    const rps = spread(good.map((s) => s.rps));
    const p50 = spread(good.map((s) => s.p50Ms));
    const p99 = spread(good.map((s) => s.p99Ms));
    return {
      ...row,
      ...(rps ? { rps } : {}),
      ...(p50 ? { p50Ms: p50 } : {}),
      ...(p99 ? { p99Ms: p99 } : {}),
    };
  });
}

const RATE = { scale: 1, digits: 0 };
const MS = { scale: 1, digits: 1 };

function tableRow(r: ApiRow): string {
  const failed = r.failures.length ? ` (${r.failures.length} kind(s) of failure, see below)` : '';
  if (!r.rps) return `| ${r.label} | ${r.size} | failed${failed} | | | ${r.concurrency} |`;
  return `| ${r.label} | ${r.size} | ${cell(r.rps, RATE)}${failed} | ${cell(r.p50Ms, MS)} | ${cell(r.p99Ms, MS)} | ${r.concurrency} |`;
}

export function apiTable(rows: readonly ApiRow[]): string {
  return [
    '| API call | objects | req/s | p50 ms | p99 ms | in flight |',
    '|---|---|---|---|---|---|',
    ...rows.map(tableRow),
  ].join('\n');
}

export function apiReport(r: ApiResult): string {
  const failures = r.rows.flatMap((row) => row.failures.map((f) => `- ${row.label} at ${row.size}: ${f}`));
  return [
    `\nAPI${r.quick ? ' (QUICK smoke run: figures not comparable)' : ''}: ${r.options.rounds} round(s), ` +
      `median (min–max) of the rounds. ${r.method.join(' ')}\n`,
    apiTable(r.rows),
    ...(failures.length ? ['\nFailures:', ...failures] : []),
  ].join('\n');
}
