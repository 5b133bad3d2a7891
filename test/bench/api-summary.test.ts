import t from 'tap';
import { vipAddress } from '../../bench/api.js';
import {
  apiReport,
  apiTable,
  percentile,
  sampleOf,
  summarizeApi,
  type ApiResult,
  type ApiSample,
} from '../../bench/api-summary.js';
import { benchOptions } from '../../bench/options.js';

t.test('percentile: nearest rank, any input order; empty or out-of-range p refused', async (t) => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
  t.equal(percentile(xs, 99), 99);
  t.equal(percentile(xs, 50), 50);
  t.equal(percentile(xs, 100), 100);
  t.equal(percentile([7], 99), 7);
  t.equal(percentile([1, 2, 3, 1000], 99), 1000, 'with few values p99 is the slowest');
  t.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9);
  t.same(xs.slice(0, 3), [100, 99, 98], 'the input is not reordered');
  t.throws(() => percentile([], 50), RangeError);
  t.throws(() => percentile([1], 0), RangeError);
  t.throws(() => percentile([1], 101), RangeError);
});

const what = { resource: 'loadbalancers', op: 'list', label: 'GET /lbs', size: 10, concurrency: 4 } as const;

t.test('a sample: rate over busy time, p50 and p99', async (t) => {
  const s = sampleOf(what, [10, 20, 30, 40], 200, []);
  t.equal(s.requests, 4);
  t.equal(s.rps, 20, '4 requests in 0.2 s');
  t.equal(s.p50Ms, 20);
  t.equal(s.p99Ms, 40);
  const none = sampleOf(what, [], 0, ['connect ECONNREFUSED']);
  t.same([none.requests, none.rps], [0, 0], 'no request: no rate, no crash');
});

function sample(over: Partial<ApiSample>): ApiSample {
  return { ...what, requests: 100, rps: 500, p50Ms: 2, p99Ms: 9, errors: [], ...over };
}

t.test('rounds become median (min–max) per call and size; failed rounds do not count', async (t) => {
  const rounds = [
    [sample({ rps: 400, p99Ms: 10 }), sample({ size: 100, rps: 50 })],
    [sample({ rps: 600, p99Ms: 8 }), sample({ size: 100, rps: 70, errors: ['409 POST x'] })],
    [sample({ rps: 500, p99Ms: 30 }), sample({ size: 100, rps: 60, errors: ['409 POST x'] })],
  ];
  const rows = summarizeApi(rounds);
  t.equal(rows.length, 2);
  t.same(rows[0]!.rps, { median: 500, min: 400, max: 600, n: 3 });
  t.same(rows[0]!.p99Ms, { median: 10, min: 8, max: 30, n: 3 });
  t.equal(rows[0]!.requests, 300);
  t.same(rows[1]!.rps, { median: 50, min: 50, max: 50, n: 1 }, 'only the clean round');
  t.same(rows[1]!.failures, ['409 POST x'], 'the same failure once');
  const allFailed = summarizeApi([[sample({ errors: ['boom'] })]]);
  t.equal(allFailed[0]!.rps, undefined);
});

t.test('the table: one line per call and size, failures named', async (t) => {
  const rows = summarizeApi([
    [sample({ rps: 1234.4, p50Ms: 1.25, p99Ms: 12.34 }), sample({ size: 1000, errors: ['boom'] })],
    [sample({ rps: 1000, p50Ms: 1.25, p99Ms: 20 }), sample({ size: 1000, errors: ['boom'] })],
  ]);
  const lines = apiTable(rows).split('\n');
  t.equal(lines[0], '| API call | objects | req/s | p50 ms | p99 ms | in flight |');
  t.equal(lines[1], '|---|---|---|---|---|---|');
  t.equal(lines[2], '| GET /lbs | 10 | 1117 (1000–1234) | 1.3 | 16.2 (12.3–20.0) | 4 |');
  t.equal(lines[3], '| GET /lbs | 1000 | failed (1 kind(s) of failure, see below) | | | 4 |');
  const result: ApiResult = {
    date: 'd',
    quick: true,
    machine: {},
    options: { rounds: 2, seconds: 1, concurrency: 4, sizes: [10, 1000] },
    method: ['How.'],
    rows,
  };
  const text = apiReport(result);
  t.match(text, /QUICK smoke run/);
  t.match(text, /2 round\(s\), median \(min–max\) of the rounds\. How\./);
  t.match(text, /\nFailures:\n- GET \/lbs at 1000: boom$/);
  t.notMatch(apiReport({ ...result, quick: false, rows: rows.slice(0, 1) }), /QUICK|Failures/);
});

t.test('VIP addresses: distinct, inside the benchmark subnet, never .0 or .255', async (t) => {
  const all = Array.from({ length: 1000 }, (_, i) => vipAddress(i));
  t.equal(new Set(all).size, 1000);
  t.equal(all[0], '172.31.1.1');
  t.equal(all[250], '172.31.2.1');
  for (const a of all) {
    const [, , c, d] = a.split('.').map(Number) as [number, number, number, number];
    if (c < 1 || c > 15 || d < 1 || d > 250) t.fail(`${a} outside 172.31.0.0/20 hosts`);
  }
});

t.test('--only api runs the API benchmark alone, with the shared rounds and seconds', async (t) => {
  const o = benchOptions(['--only', 'api']);
  t.same([o.api, o.control, o.dataplane], [true, false, false]);
  t.same(o.apiRun, { rounds: 5, seconds: 2, concurrency: 16, sizes: [10, 100, 1000] });
  const q = benchOptions(['--only=api', '--quick']);
  t.same([q.apiRun.rounds, q.apiRun.seconds], [1, 0.5]);
  t.equal(benchOptions(['--rounds', '3', '--seconds', '1']).apiRun.rounds, 3);
  t.equal(benchOptions([]).api, true, 'make bench runs it with the others');
  t.equal(benchOptions(['--only', 'control']).api, false);
});
