// The HTTP bench's and the API-change bench's summaries and tables, from runs built by hand.
import t from 'tap';
import { apiChangeReport, l7FigureTable, l7Report } from '../../bench/l7/report.js';
import {
  l7Failed,
  pairedRatio,
  summarizeApiChange,
  summarizeL7,
  type L7Outcome,
  type RawL7Run,
} from '../../bench/l7/summary.js';

const s = (
  rps: number,
  cpuUs: number,
  over: Partial<Extract<L7Outcome, { rps: number }>> = {},
): L7Outcome => ({
  rps,
  p50Us: 500,
  p99Us: 2000,
  cpuUs,
  busy: 0.9,
  errors: 0,
  ...over,
});

function raw(): RawL7Run {
  return {
    date: '2030-01-02T03:04:05.000Z',
    quick: false,
    machine: { cpu: '2 × Test CPU', kernel: '6.1.0', haproxy: '2.6.12', wrk: '4.1.0' },
    options: { rounds: 3, seconds: 2, warmSeconds: 1 },
    method: ['by hand.'],
    configs: { bare: 'global\n' },
    samples: {
      bare: { keepalive: [s(10_000, 50), s(12_000, 40), s(8000, 60)], serial: [s(3000, 70)] },
      manager: {
        keepalive: [
          s(9000, 55, { controlUs: 0 }),
          { error: 'haproxy died' },
          s(8000, 60, { controlUs: 0.1 }),
        ],
      },
      agent: {
        keepalive: [
          s(11_000, 45, { controlUs: 1 }),
          s(12_000, 40, { controlUs: 2 }),
          s(6000, 90, { controlUs: 3 }),
        ],
        close: [s(2000, 100, { errors: 3 })],
      },
    },
  };
}

t.test('paired ratios: per round, skipping a round either side failed', async (t) => {
  const r = raw();
  t.same(
    pairedRatio(r.samples.manager!.keepalive, r.samples.bare!.keepalive, (x) => x.rps),
    [0.9, 1],
  );
  t.same(
    pairedRatio([s(10, 1)], undefined, (x) => x.rps),
    [],
  );
});

t.test('rows: medians with min and max, ratios to bare, errors and failures', async (t) => {
  const r = summarizeL7(raw());
  t.equal(r.reference, 'bare');
  t.same(
    r.figures.map((f) => f.id),
    ['keepalive', 'close', 'serial'],
  );
  const ka = r.figures[0]!;
  t.same(
    ka.rows.map((row) => row.variant),
    ['bare', 'manager', 'agent'],
  );
  const [bare, manager, agent] = ka.rows;
  t.same(bare!.rps, { median: 10_000, min: 8000, max: 12_000, n: 3 });
  t.equal(bare!.rpsVsBare, undefined, 'the reference has no ratio to itself');
  t.equal(bare!.controlUs, undefined, 'bare HAProxy has no node process');
  t.same(manager!.rps, { median: 8500, min: 8000, max: 9000, n: 2 });
  t.same(manager!.failures, ['haproxy died']);
  t.same(agent!.rpsVsBare, { median: 1, min: 0.75, max: 1.1, n: 3 });
  t.same(agent!.cpuVsBare, { median: 1, min: 0.9, max: 1.5, n: 3 });
  t.same(agent!.controlUs, { median: 2, min: 1, max: 3, n: 3 });
  const close = r.figures[1]!;
  t.equal(close.rows[2]!.errors, 3);
  t.equal(close.rows[0]!.rps, undefined, 'not measured: no spread');
  t.equal(close.rows[2]!.rpsVsBare, undefined, 'no bare sample: no ratio');
  t.equal(l7Failed(r), true);
  const clean = raw();
  clean.samples = { bare: { keepalive: [s(1, 1)] }, agent: { keepalive: [s(1, 1)] } };
  const cr = summarizeL7(clean);
  t.equal(l7Failed(cr), false);
  t.same(
    cr.figures[0]!.rows.map((row) => row.variant),
    ['bare', 'agent'],
    'only the variants that ran',
  );
});

t.test('tables: req/s, ratios, latency in ms, CPU per request, failures spelt out', async (t) => {
  const r = summarizeL7(raw());
  const table = l7FigureTable(r.figures[0]!);
  const lines = table.split('\n');
  t.match(
    lines[0],
    /^\| HTTP, 16 keep-alive connections \| req\/s \| × bare \| p50 ms \| p99 ms \| HAProxy CPU µs\/req/,
  );
  t.equal(lines[2], '| bare | 10000 (8000–12000) | – | 0.50 | 2.00 | 50.0 (40.0–60.0) | – | 90 | – |');
  t.match(
    lines[3],
    /^\| manager \| 8500 \(8000–9000\) \(1 kind\(s\) of failed run: haproxy died\) \| 0\.950 \(0\.900–1\.000\)×/,
  );
  t.match(
    lines[4],
    /\| agent \| 11000 \(6000–12000\) \| 1\.000 \(0\.750–1\.100\)× \|.*\| 2\.0 \(1\.0–3\.0\) \|$/,
  );
  const closeTable = l7FigureTable(r.figures[1]!);
  t.match(closeTable, /\| bare \| failed: no run \|/);
  t.match(closeTable, /\| agent \| 2000 \(3 failed requests\)/);
  const report = l7Report(r);
  t.match(report, /3 round\(s\) of 2 s per figure\)/);
  t.match(report, /HAProxy 2\.6\.12, wrk 4\.1\.0/);
  t.notMatch(report, /QUICK/);
  t.match(l7Report(summarizeL7({ ...raw(), quick: true })), /QUICK: not comparable/);
});

t.test('API change: served and ACTIVE per change, failures kept, every change listed', async (t) => {
  const r = summarizeApiChange({
    date: 'd',
    quick: false,
    rounds: 3,
    method: [],
    samples: {
      l7Reject: [
        { servedMs: 300, activeMs: 400 },
        { servedMs: 100, activeMs: 200 },
        { servedMs: 200, activeMs: 300 },
      ],
      memberAdd: [{ error: 'no answer from the new member within 20 s' }, { servedMs: 50, activeMs: 90 }],
    },
  });
  t.same(
    r.rows.map((row) => row.id),
    ['l7Reject', 'l7Delete', 'memberAdd', 'memberDisable', 'memberEnable', 'listenerReload'],
  );
  t.same(r.rows[0]!.served, { median: 200, min: 100, max: 300, n: 3 });
  t.same(r.rows[0]!.active, { median: 300, min: 200, max: 400, n: 3 });
  t.equal(r.rows[1]!.served, undefined);
  t.same(r.rows[2]!.failures, ['no answer from the new member within 20 s']);
  const text = apiChangeReport(r);
  t.match(
    text,
    /\| POST L7 policy REJECT \(PATH rule\) → client gets 403 \| 200 \(100–300\) \| 300 \(200–400\) \|/,
  );
  t.match(
    text,
    /\| POST member → member receives traffic \| 50 \(failed: no answer from the new member within 20 s\) \| 90 \|/,
  );
  t.match(text, /\| DELETE that L7 policy → client gets 200 again \| – \| – \|/);
});
