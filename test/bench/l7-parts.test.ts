// The HTTP bench's pure parts: the hand-written configuration's template, wrk's report and
// arguments, the options that select the new benchmarks, and finding HAProxy's processes.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { BARE_TEMPLATE, bareConfig, fillTemplate } from '../../bench/l7/bare.js';
import { descendantsNamed } from '../../bench/l7/procs.js';
import { ADDR } from '../../bench/l7/topology.js';
import { parseWrk, WRK_SCRIPT, wrkArgs } from '../../bench/l7/wrk.js';
import { benchOptions, BenchOptionError } from '../../bench/options.js';

t.test('template: every name filled; a missing or an unused value is an error', async (t) => {
  t.equal(
    fillTemplate('bind {{vip}}:{{port}} # {{vip}}', { vip: '10.0.0.1', port: 80 }),
    'bind 10.0.0.1:80 # 10.0.0.1',
  );
  t.throws(() => fillTemplate('bind {{vip}}:{{port}}', { vip: 'x' }), {
    message: /\{\{port\}\}, which has no value/,
  });
  t.throws(() => fillTemplate('bind {{vip}}', { vip: 'x', extra: 1 }), { message: /does not use extra/ });
});

t.test('the hand-written configuration names the bench addresses and HAProxy accepts it', async (t) => {
  const text = bareConfig(1000);
  t.notMatch(text, /\{\{/, 'nothing left unfilled');
  t.match(text, new RegExp(`bind ${ADDR.vip.replace(/\./g, '\\.')}:80`));
  for (const m of ADDR.members) t.match(text, new RegExp(`${m.replace(/\./g, '\\.')}:8080`));
  t.match(text, /maxconn 1000/);
  t.match(readFileSync(BARE_TEMPLATE, 'utf8'), /option forwardfor/);
  let haproxy = true;
  try {
    execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
  } catch {
    haproxy = false;
  }
  if (!haproxy) {
    t.fail('haproxy is not installed (make deps)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vxl-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bare.cfg'), text);
  t.doesNotThrow(() => execFileSync('haproxy', ['-c', '-q', '-f', join(dir, 'bare.cfg')], { stdio: 'pipe' }));
});

t.test('wrk: the report line among its output; none is an error naming the output', async (t) => {
  const out =
    'Running 1s test @ http://10.218.101.10:80/\n  1 threads and 16 connections\n' +
    'VXL-WRK {"requests":12345,"duration":1000123,"errors":2,"p50":410,"p90":800,"p99":1500,"max":9000}\n';
  t.same(parseWrk(out), {
    requests: 12345,
    durationUs: 1000123,
    errors: 2,
    latencyUs: { p50: 410, p90: 800, p99: 1500, max: 9000 },
  });
  t.throws(() => parseWrk('unable to connect to 10.218.101.10:80 Connection refused\n'), {
    message: /wrk printed no report: unable to connect/,
  });
  t.match(WRK_SCRIPT, /^done = function\(summary, latency, requests\)/);
  t.same(wrkArgs('/x/r.lua', { connections: 16, seconds: 2, close: false }), [
    'wrk',
    '-t1',
    '-c16',
    '-d2s',
    '--timeout',
    '2s',
    '-s',
    '/x/r.lua',
    'http://10.218.101.10:80/',
  ]);
  t.same(wrkArgs('/x/r.lua', { connections: 1, seconds: 1, close: true }).slice(-3), [
    '-H',
    'Connection: close',
    'http://10.218.101.10:80/',
  ]);
});

t.test('options: --only haproxy and --only api-change; HTTP runs in whole seconds', async (t) => {
  const all = benchOptions([]);
  t.equal(all.haproxy, true);
  t.equal(all.apiChange, true);
  t.same(all.haproxyRun, { rounds: 5, seconds: 2, warmSeconds: 1 });
  t.equal(all.apiChangeRounds, 5);
  const h = benchOptions(['--only', 'haproxy', '--rounds', '3', '--seconds', '2.6']);
  t.same([h.haproxy, h.apiChange, h.control, h.dataplane, h.api], [true, false, false, false, false]);
  t.same(h.haproxyRun, { rounds: 3, seconds: 3, warmSeconds: 1 });
  const a = benchOptions(['--only=api-change', '--quick']);
  t.same([a.haproxy, a.apiChange, a.control], [false, true, false]);
  t.equal(a.apiChangeRounds, 1);
  t.equal(benchOptions(['--quick']).haproxyRun.seconds, 1, 'wrk runs at least a second');
  t.equal(benchOptions(['--only', 'dataplane']).haproxy, false, 'the other --only values leave it out');
  t.throws(() => benchOptions(['--only', 'l7']), BenchOptionError);
  t.throws(() => benchOptions(['--only', 'l7']), { message: /"haproxy" or "api-change", not "l7"/ });
});

t.test('processes: the named ones under a root, found through /proc', async (t) => {
  const child = spawn('sh', ['-c', 'sleep 30 & sleep 30 & wait'], { stdio: 'ignore' });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  let sleeps: number[] = [];
  for (let i = 0; i < 500 && sleeps.length < 2; i++) {
    await new Promise((r) => setTimeout(r, 20));
    sleeps = descendantsNamed(process.pid, 'sleep');
  }
  t.equal(sleeps.length, 2, 'both sleeps under this process (through its shell)');
  t.same(descendantsNamed(child.pid!, 'sh'), [child.pid], 'the root itself when its name matches');
  t.same(descendantsNamed(child.pid!, 'haproxy'), []);
  for (const pid of sleeps) process.kill(pid, 'SIGKILL');
});
