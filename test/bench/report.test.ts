import t from 'tap';
import { VARIANT } from '../../bench/dataplane/figures.js';
import {
  cell,
  dataplaneReport,
  figureTable,
  summaryTable,
  targetLine,
} from '../../bench/dataplane/report.js';
import { summarize } from '../../bench/dataplane/summary.js';
import { rawRun } from './fixture.js';

t.test('a cell: median (min–max) in the display scale; one value when they agree; – for none', async (t) => {
  t.equal(cell({ median: 1500, min: 1200, max: 2500, n: 3 }, { scale: 1e-3, digits: 1 }), '1.5 (1.2–2.5)');
  t.equal(cell({ median: 2, min: 2, max: 2, n: 1 }, { scale: 1, digits: 2 }), '2.00');
  t.equal(cell(undefined, { scale: 1, digits: 0 }), '–');
});

t.test('a figure table: one row per variant, n/a with its reason, failures named', async (t) => {
  const r = summarize(rawRun());
  const lines = figureTable(r.figures[0]!, r.reference).split('\n');
  t.match(
    lines[0]!,
    /^\| Per forwarded packet .* \| delivered Mpps \| balancer ns\/packet \| × kernel forwarding \|/,
  );
  t.equal(lines[1], '|---|---|---|---|---|');
  t.equal(lines.length, 2 + 5);
  t.equal(lines[3], `| ${VARIANT.velox} | 1.00 | 210 (120–300) | 0.40 (0.30–0.50) | 100 |`);
  t.equal(lines[6], `| ${VARIANT.haproxy} | n/a | n/a: no UDP | | |`);
  const flows = figureTable(r.figures[1]!, r.reference).split('\n');
  t.match(flows[3]!, /200 \(1 kind\(s\) of failure, see notes\)/);
  const conn = figureTable(r.figures[2]!, r.reference).split('\n');
  t.equal(conn[6], `| ${VARIANT.haproxy} | 2.0 | 30.0 | – | 50, 50 of it in processes |`);
  t.equal(conn[2], `| ${VARIANT.fwd} | not measured | | | |`, 'no sample and no failure recorded');
});

t.test('target lines say met, NOT MET or not measured, with the ratio and the limit', async (t) => {
  const [a, b] = summarize(rawRun()).targets;
  t.equal(
    targetLine(a!),
    '- NOT MET: xdp_lb per packet at most 1.3 × the stateless XDP forwarder: 1.35 (1.20–1.50) (≤ 1.3)',
  );
  t.equal(
    targetLine(b!),
    '- met: xdp_lb per packet at least 4 × cheaper than nftables DNAT: 4.00 (3.00–5.00) (≥ 4)',
  );
  t.equal(
    targetLine({ text: 'x', figure: 'packet', limit: '≥ 3' }),
    '- not measured: x (a side has no successful round)',
  );
});

t.test('the report has every figure, the targets, the notes and the failures', async (t) => {
  const text = dataplaneReport(summarize(rawRun()));
  t.match(text, /2 interleaved round\(s\)/);
  t.notMatch(text, /QUICK/);
  t.equal(text.match(/^\|---/gm)?.length, 6, 'five figures and the README table');
  t.match(text, /Targets/);
  t.match(text, /- a note/);
  t.match(text, `- ${VARIANT.velox}, newFlow: agent <died> & gone`);
  const quick = summarize({ ...rawRun(), quick: true });
  t.match(dataplaneReport(quick), /QUICK smoke run/);
});

t.test('the README table: one row per variant, one column per figure, ratio in brackets', async (t) => {
  const lines = summaryTable(summarize(rawRun())).split('\n');
  t.equal(
    lines[0],
    '| balancer CPU, median (× kernel forwarding) | ns/packet | ns/flow | µs/connection | µs/request | CPU ms/GB |',
  );
  t.equal(lines[1], '|---|---|---|---|---|---|');
  t.equal(lines[3], `| ${VARIANT.velox} | 210 (0.40×) | 200 (0.50×) | – | – | – |`);
  t.equal(lines[4], `| ${VARIANT.kernel} | 500 (1.00×) | 400 (1.00×) | – | – | 500 (1.00×) |`);
  t.equal(lines[6], `| ${VARIANT.haproxy} | n/a | n/a | 30.0 | – | – |`);
});
