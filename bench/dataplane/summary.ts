// From the rounds' raw samples to what is reported: medians with min and max, ratios
// against the reference variant paired round by round, and the targets met or not.
// Pure: the tables, the JSON file and the chart all come from its output.
import { FIGURES, REFERENCE, TARGETS, type FigureId, type Target, type Unit } from './figures.js';

/** One measured run of one figure for one variant. */
export interface Sample {
  /** Per second: packets, flows, connections, requests or bytes. */
  rate: number;
  /** Balancer CPU ns per packet, flow, connection, request or GB. */
  cost: number;
  /** Share of one CPU the balancer used during the run. */
  busy: number;
  /** Connections that failed (TCP figures). */
  errors?: number;
  /** The share of `cost` spent in the balancer's processes (agent, HAProxy) rather than NAPI. */
  processShare?: number;
}

export interface Failure {
  error: string;
}

export type Outcome = Sample | Failure;

export interface VariantInfo {
  name: string;
  /** Figures this variant cannot take part in, with the reason. */
  na: Partial<Record<FigureId, string>>;
}

/** What a run records; `samples[variant][figure][round]`. */
export interface RawRun {
  date: string;
  quick: boolean;
  machine: Record<string, string>;
  options: Record<string, number | boolean>;
  method: string[];
  variants: VariantInfo[];
  samples: Record<string, Partial<Record<FigureId, Outcome[]>>>;
  notes: string[];
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export interface Row {
  variant: string;
  na?: string;
  rate?: Spread;
  cost?: Spread;
  busy?: Spread;
  processShare?: Spread;
  vsReference?: Spread;
  failures: string[];
}

export interface FigureResult {
  id: FigureId;
  title: string;
  rate: Unit;
  cost: Unit;
  rows: Row[];
}

export interface TargetResult {
  text: string;
  figure: FigureId;
  limit: string;
  ratio?: Spread;
  /** undefined when either side has no successful round. */
  met?: boolean;
}

export interface DataplaneResult extends RawRun {
  reference: string;
  figures: FigureResult[];
  targets: TargetResult[];
}

export const isSample = (o: Outcome | undefined): o is Sample => !!o && !('error' in o);

/** Median (mean of the middle two for an even count), min and max; undefined when empty. */
export function spread(xs: number[]): Spread | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, n: s.length };
}

/** cost(a) / cost(b) for every round in which both succeeded. */
export function pairedRatios(a: Outcome[] = [], b: Outcome[] = []): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (isSample(x) && isSample(y) && y.cost > 0) out.push(x.cost / y.cost);
  }
  return out;
}

function row(run: RawRun, variant: VariantInfo, figure: FigureId): Row {
  const na = variant.na[figure];
  if (na) return { variant: variant.name, na, failures: [] };
  const outcomes = run.samples[variant.name]?.[figure] ?? [];
  const ok = outcomes.filter(isSample);
  const failures = [...new Set(outcomes.filter((o) => !isSample(o)).map((o) => (o as Failure).error))];
  return {
    variant: variant.name,
    rate: spread(ok.map((s) => s.rate)),
    cost: spread(ok.map((s) => s.cost)),
    busy: spread(ok.map((s) => s.busy)),
    processShare: spread(ok.flatMap((s) => (s.processShare === undefined ? [] : [s.processShare]))),
    vsReference: spread(pairedRatios(outcomes, run.samples[REFERENCE]?.[figure])),
    failures,
  };
}

function judge(run: RawRun, t: Target): TargetResult {
  const ratio = spread(
    pairedRatios(run.samples[t.numerator]?.[t.figure], run.samples[t.denominator]?.[t.figure]),
  );
  // "n × cheaper" is cost(other) / cost(ours) ≥ n; "at most n ×" is cost(ours) / cost(other) ≤ n.
  const limit = t.atMost !== undefined ? `≤ ${t.atMost}` : `≥ ${t.atLeast}`;
  if (!ratio) return { text: t.text, figure: t.figure, limit };
  const met = t.atMost !== undefined ? ratio.median <= t.atMost : ratio.median >= (t.atLeast ?? Infinity);
  return { text: t.text, figure: t.figure, limit, ratio, met };
}

export function summarize(run: RawRun): DataplaneResult {
  return {
    ...run,
    reference: REFERENCE,
    figures: FIGURES.map((f) => ({
      id: f.id,
      title: f.title,
      rate: f.rate,
      cost: f.cost,
      rows: run.variants.map((v) => row(run, v, f.id)),
    })),
    targets: TARGETS.map((t) => judge(run, t)),
  };
}
