// The HTTP bench's and the API-change bench's results as Markdown tables. Pure.
import { cell } from '../dataplane/report.js';
import type { Spread } from '../dataplane/summary.js';
import type { ApiChangeResult, L7FigureResult, L7Result, L7Row } from './summary.js';

const RPS = { scale: 1, digits: 0 };
const MS = { scale: 1e-3, digits: 2 }; // from µs
const US = { scale: 1, digits: 1 };
const RATIO = { scale: 1, digits: 3 };
const PERCENT = { scale: 100, digits: 0 };
const MS_INT = { scale: 1, digits: 0 };

const ratio = (s: Spread | undefined): string => (s ? `${cell(s, RATIO)}×` : '–');

function tableRow(r: L7Row): string {
  if (!r.rps) return `| ${r.variant} | failed: ${r.failures.join('; ') || 'no run'} | | | | | | | |`;
  const failed = r.failures.length
    ? ` (${r.failures.length} kind(s) of failed run: ${r.failures.join('; ')})`
    : '';
  const errors = r.errors > 0 ? ` (${r.errors} failed requests)` : '';
  return (
    `| ${r.variant} | ${cell(r.rps, RPS)}${errors}${failed} | ${ratio(r.rpsVsBare)} | ` +
    `${cell(r.p50Us, MS)} | ${cell(r.p99Us, MS)} | ${cell(r.cpuUs, US)} | ${ratio(r.cpuVsBare)} | ` +
    `${cell(r.busy, PERCENT)} | ${cell(r.controlUs, US)} |`
  );
}

export function l7FigureTable(f: L7FigureResult): string {
  return [
    `| ${f.title} | req/s | × bare | p50 ms | p99 ms | HAProxy CPU µs/req | × bare | HAProxy CPU busy % | agent/runner CPU µs/req |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...f.rows.map(tableRow),
  ].join('\n');
}

export function l7Report(r: L7Result): string {
  const rounds = `${r.options.rounds} round(s) of ${r.options.seconds} s per figure`;
  return [
    `\nHTTP through HAProxy: agent path against bare HAProxy (${rounds}${r.quick ? ', QUICK: not comparable' : ''})`,
    `${r.machine.cpu}, kernel ${r.machine.kernel}, HAProxy ${r.machine.haproxy}, wrk ${r.machine.wrk}`,
    ...r.figures.map((f) => `\n${l7FigureTable(f)}`),
  ].join('\n');
}

export function apiChangeReport(r: ApiChangeResult): string {
  return [
    `\nAPI change → served (${r.rounds} round(s)${r.quick ? ', QUICK' : ''}), ms: median (min–max)`,
    '',
    '| change | served | ACTIVE |',
    '|---|---|---|',
    ...r.rows.map((row) => {
      const failed = row.failures.length ? ` (failed: ${row.failures.join('; ')})` : '';
      return `| ${row.title} | ${cell(row.served, MS_INT)}${failed} | ${cell(row.active, MS_INT)} |`;
    }),
  ].join('\n');
}
