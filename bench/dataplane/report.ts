// The data-plane results as Markdown: one table per figure, then the targets. Pure.
import { SHORT, type Unit } from './figures.js';
import type { DataplaneResult, FigureResult, Row, Spread, TargetResult } from './summary.js';

/** "median (min–max)" in a unit's display scale; "–" when there is nothing. */
export function cell(s: Spread | undefined, unit: Pick<Unit, 'scale' | 'digits'>): string {
  if (!s) return '–';
  const f = (x: number): string => (x * unit.scale).toFixed(unit.digits);
  return s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

const RATIO: Unit = { label: '×', scale: 1, digits: 2 };
const PERCENT: Unit = { label: '%', scale: 100, digits: 0 };

function tableRow(r: Row, f: FigureResult): string {
  if (r.na) return `| ${r.variant} | n/a | n/a: ${r.na} | | |`;
  if (!r.cost && !r.failures.length) return `| ${r.variant} | not measured | | | |`;
  if (!r.cost) return `| ${r.variant} | failed | ${r.failures.join('; ')} | | |`;
  const failed = r.failures.length ? ` (${r.failures.length} kind(s) of failure, see notes)` : '';
  const inProcesses = r.processShare ? `, ${cell(r.processShare, PERCENT)} of it in processes` : '';
  return `| ${r.variant} | ${cell(r.rate, f.rate)} | ${cell(r.cost, f.cost)}${failed} | ${cell(r.vsReference, RATIO)} | ${cell(r.busy, PERCENT)}${inProcesses} |`;
}

export function figureTable(f: FigureResult, reference: string): string {
  return [
    `| ${f.title} | ${f.rate.label} | ${f.cost.label} | × ${SHORT[reference] ?? reference} | balancer CPU busy % |`,
    '|---|---|---|---|---|',
    ...f.rows.map((r) => tableRow(r, f)),
  ].join('\n');
}

export function targetLine(t: TargetResult): string {
  if (!t.ratio || t.met === undefined) return `- not measured: ${t.text} (a side has no successful round)`;
  return `- ${t.met ? 'met' : 'NOT MET'}: ${t.text}: ${cell(t.ratio, RATIO)} (${t.limit})`;
}

/** One table for the README: each figure's cost (median) and its ratio to the reference. */
export function summaryTable(r: DataplaneResult): string {
  const variants = r.figures[0]?.rows.map((row) => row.variant) ?? [];
  const costCell = (row: Row | undefined, f: FigureResult): string => {
    if (!row || row.na) return 'n/a';
    if (!row.cost) return row.failures.length ? 'failed' : '–';
    const ratio = row.vsReference ? ` (${row.vsReference.median.toFixed(2)}×)` : '';
    return `${(row.cost.median * f.cost.scale).toFixed(f.cost.digits)}${ratio}`;
  };
  return [
    `| balancer CPU, median (× ${SHORT[r.reference] ?? r.reference}) | ${r.figures.map((f) => f.cost.label.replace(/^balancer /, '')).join(' | ')} |`,
    `|---|${r.figures.map(() => '---').join('|')}|`,
    ...variants.map(
      (v) =>
        `| ${v} | ${r.figures
          .map((f) =>
            costCell(
              f.rows.find((row) => row.variant === v),
              f,
            ),
          )
          .join(' | ')} |`,
    ),
  ].join('\n');
}

export function dataplaneReport(r: DataplaneResult): string {
  const o = r.options;
  const failures = r.figures.flatMap((f) =>
    f.rows.flatMap((row) => row.failures.map((e) => `- ${row.variant}, ${f.id}: ${e}`)),
  );
  return [
    `\nData plane${r.quick ? ' (QUICK smoke run: figures not comparable)' : ''}: ` +
      `${o.rounds} interleaved round(s), median (min–max). Balancer CPU: ${r.method.join(' ')}`,
    ...r.figures.map((f) => `\n${figureTable(f, r.reference)}`),
    '\nAll figures, for the README:\n',
    summaryTable(r),
    '\nTargets (ratios of costs measured in the same round, median (min–max)):',
    ...r.targets.map(targetLine),
    ...(r.notes.length ? ['\nNotes:', ...r.notes.map((n) => `- ${n}`)] : []),
    ...(failures.length ? ['\nFailures:', ...failures] : []),
  ].join('\n');
}
