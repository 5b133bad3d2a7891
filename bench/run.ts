// `make bench` (root): the control-plane, data-plane, API, HTTP-through-HAProxy and
// API-change benchmarks, printed as tables and
// kept in bench/results/latest.json (the latest result of each benchmark; one that did not
// run keeps its previous entry); the data plane's chart goes to docs/bench-dataplane.svg.
// A --quick smoke run writes neither. Not part of `make test`. Options: bench/options.ts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { apiBench } from './api.js';
import { apiReport } from './api-summary.js';
import { dataplaneBench } from './dataplane/bench.js';
import { dataplaneReport } from './dataplane/report.js';
import { apiChangeBench } from './l7/api-change.js';
import { l7Bench } from './l7/bench.js';
import { apiChangeReport, l7Report } from './l7/report.js';
import { l7Failed, summarizeApiChange, summarizeL7 } from './l7/summary.js';
import { summarize, type DataplaneResult } from './dataplane/summary.js';
import { renderChart } from './dataplane/svg.js';
import { REPO } from './dataplane/topology.js';
import { benchOptions, BenchOptionError, type BenchOptions } from './options.js';
import { provisionBench, type Stat } from './provision.js';

const RESULTS = join(REPO, 'bench', 'results', 'latest.json');
const CHART = join(REPO, 'docs', 'bench-dataplane.svg');

const row = (what: string, s: Stat) => `| ${what} | ${s.median} | ${s.min} | ${s.max} | ${s.n} |`;

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

async function main(opts: BenchOptions): Promise<number> {
  const results = existsSync(RESULTS)
    ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>)
    : {};
  let failed = false;
  if (opts.control) {
    const date = new Date().toISOString();
    const p = await provisionBench(opts.controlRounds);
    console.log('\n| control plane, ms | median | min | max | rounds |\n|---|---|---|---|---|');
    console.log(row('POST /loadbalancers → ACTIVE', p.lbActive));
    console.log(row('POST member → ACTIVE', p.memberActive));
    console.log(row('POST member → member receives traffic', p.memberTraffic));
    results.control = { date, quick: opts.quick, ...p };
  }
  if (opts.dataplane) {
    const r = summarize(await dataplaneBench(opts.plane, opts.quick));
    console.log(dataplaneReport(r));
    results.dataplane = r;
    failed = r.figures.some((f) => f.rows.some((row) => row.failures.length > 0));
  }
  if (opts.api) {
    const r = await apiBench(opts.apiRun, opts.quick);
    console.log(apiReport(r));
    results.api = r;
    failed ||= r.rows.some((row) => row.failures.length > 0);
  }
  if (opts.haproxy) {
    const r = summarizeL7(await l7Bench(opts.haproxyRun, opts.quick));
    console.log(l7Report(r));
    results.haproxy = r;
    failed ||= l7Failed(r);
  }
  if (opts.apiChange) {
    const r = summarizeApiChange(await apiChangeBench(opts.apiChangeRounds, opts.quick));
    console.log(apiChangeReport(r));
    results.apiChange = r;
    failed ||= r.rows.some((row) => row.failures.length > 0);
  }
  if (opts.quick) {
    console.log('\nquick run: bench/results and docs left as they were');
  } else {
    write(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    if (opts.dataplane) write(CHART, renderChart(results.dataplane as DataplaneResult));
    console.log(`\nwrote ${RESULTS}${opts.dataplane ? ` and ${CHART}` : ''}`);
  }
  return failed ? 1 : 0;
}

try {
  process.exitCode = await main(benchOptions(process.argv.slice(2)));
} catch (err) {
  if (!(err instanceof BenchOptionError)) throw err;
  console.error(err.message);
  process.exitCode = 2;
}
