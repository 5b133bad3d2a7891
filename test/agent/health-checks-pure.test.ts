// The pure parts of member health checks: expected_codes, the rise/fall state machine, the
// HTTP request and status line, monitor validation and defaults, and the concurrency limiter.
import t from 'tap';
import { HealthMonitorError } from '../../src/health/checks/errors.js';
import { codeExpected, parseExpectedCodes } from '../../src/health/checks/expected-codes.js';
import { buildHttpRequest, parseStatusLine } from '../../src/health/checks/http-request.js';
import { Limiter } from '../../src/health/checks/limiter.js';
import { parseHealthMonitor, planForPool, probeKey, probeSpec } from '../../src/health/checks/monitor.js';
import { pingArgs } from '../../src/health/checks/probe-ping.js';
import { isServerHello } from '../../src/health/checks/probe-tls-hello.js';
import { afterProbe, initialRiseFall, type RiseFallState } from '../../src/health/checks/rise-fall.js';
import { member, monitor, pool } from './fixtures/hc-pools.js';

t.test('expected_codes: single, list, range, mixed, default; bad input named', async (t) => {
  t.same(parseExpectedCodes(''), [[200, 200]]);
  t.same(parseExpectedCodes('200'), [[200, 200]]);
  t.same(parseExpectedCodes('200, 202'), [
    [200, 200],
    [202, 202],
  ]);
  t.same(parseExpectedCodes('200-204'), [[200, 204]]);
  t.same(parseExpectedCodes('200,301-302'), [
    [200, 200],
    [301, 302],
  ]);
  const ranges = parseExpectedCodes('200-204,404');
  t.same(
    [199, 200, 204, 205, 404, 500].map((c) => codeExpected(ranges, c)),
    [false, true, true, false, true, false],
  );
  for (const bad of ['20', '2000', '200-', '204-200', '200-202-204', 'abc', '200,,202', '600', '099']) {
    t.throws(() => parseExpectedCodes(bad), { name: 'HealthMonitorError', field: 'expected_codes' }, bad);
  }
});

t.test('rise/fall: max_retries_down failures to ERROR, max_retries successes back', async (t) => {
  const th = { rise: 2, fall: 3 };
  const run = (s: RiseFallState, results: boolean[]): string[] =>
    results.map((ok) => (s = afterProbe(s, ok, th)).status);
  t.same(run(initialRiseFall(), [false, false, false]), ['ONLINE', 'ONLINE', 'ERROR']);
  t.same(
    run(initialRiseFall(), [false, false, true, false, false]),
    ['ONLINE', 'ONLINE', 'ONLINE', 'ONLINE', 'ONLINE'],
    'a success resets the failures',
  );
  t.same(
    run(initialRiseFall('ERROR'), [true, false, true, true]),
    ['ERROR', 'ERROR', 'ERROR', 'ONLINE'],
    'a failure resets the successes',
  );
  t.same(run(initialRiseFall(), [false, false, false, true, true, false]), [
    'ONLINE',
    'ONLINE',
    'ERROR',
    'ERROR',
    'ONLINE',
    'ONLINE',
  ]);
  t.equal(afterProbe(initialRiseFall(), false, { rise: 1, fall: 1 }).status, 'ERROR');
});

t.test('HTTP request: 1.0 bare, 1.0 with domain, 1.1 with Host and Connection: close', async (t) => {
  const base = { method: 'GET', path: '/', version: '1.0' as const, domainName: '' };
  t.equal(buildHttpRequest(base, '10.208.0.5'), 'GET / HTTP/1.0\r\n\r\n');
  t.equal(
    buildHttpRequest({ ...base, domainName: 'a.example' }, '10.208.0.5'),
    'GET / HTTP/1.0\r\nHost: a.example\r\n\r\n',
  );
  t.equal(
    buildHttpRequest({ ...base, method: 'HEAD', path: '/healthz?x=1', version: '1.1' }, 'fd00:208::5'),
    'HEAD /healthz?x=1 HTTP/1.1\r\nHost: [fd00:208::5]\r\nConnection: close\r\n\r\n',
  );
  t.equal(
    buildHttpRequest({ ...base, version: '1.1', domainName: 'a.example' }, '10.208.0.5'),
    'GET / HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n',
  );
  t.equal(parseStatusLine('HTTP/1.1 204 No Content'), 204);
  t.equal(parseStatusLine('HTTP/1.0 200'), 200);
  t.equal(parseStatusLine('SSH-2.0-OpenSSH_9.2'), undefined);
  t.equal(parseStatusLine('HTTP/1.1 2000 X'), undefined);
});

t.test('monitor: defaults, ranges and named errors', async (t) => {
  const http = parseHealthMonitor(monitor({ type: 'HTTP', max_retries_down: 0 }));
  t.same(http, {
    type: 'HTTP',
    delayMs: 1000,
    timeoutMs: 1000,
    rise: 2,
    fall: 3,
    http: { method: 'GET', path: '/', version: '1.0', domainName: '', expectedCodes: [[200, 200]] },
  });
  t.same(parseHealthMonitor(monitor({ type: 'SCTP' })), { unsupported: 'SCTP' });
  t.notOk(
    'http' in parseHealthMonitor(monitor({ type: 'TCP', http_method: 'BREW' })),
    'HTTP fields ignored for TCP',
  );
  const bad: [Partial<Parameters<typeof monitor>[0]>, string][] = [
    [{ type: 'ICMP' }, 'type'],
    [{ delay: 0 }, 'delay'],
    [{ timeout: 0 }, 'timeout'],
    [{ max_retries: 0 }, 'max_retries'],
    [{ max_retries_down: 11 }, 'max_retries_down'],
    [{ type: 'HTTP', http_method: 'BREW' }, 'http_method'],
    [{ type: 'HTTP', url_path: 'health' }, 'url_path'],
    [{ type: 'HTTPS', url_path: '/a b' }, 'url_path'],
    [{ type: 'HTTP', url_path: '/a\r\nX: y' }, 'url_path'],
    [{ type: 'HTTP', http_version: '2' }, 'http_version'],
    [{ type: 'HTTP', domain_name: 'a b' }, 'domain_name'],
    [{ type: 'HTTP', expected_codes: '2xx' }, 'expected_codes'],
  ];
  for (const [fields, field] of bad) {
    t.throws(() => parseHealthMonitor(monitor(fields)), { name: 'HealthMonitorError', field }, field);
  }
  const err = t.throws(() => parseHealthMonitor(monitor({ delay: 0 }))) as HealthMonitorError;
  t.match(err.message, /^delay: 0 is not a whole number of seconds/);
});

t.test('plan and spec: NO_MONITOR reasons, monitor_address/monitor_port, keys', async (t) => {
  t.same(planForPool(pool('p', [], null)), { noMonitor: 'pool has no health monitor' });
  t.same(planForPool(pool('p', [], monitor({ admin_state_up: false }))), {
    noMonitor: 'health monitor is admin down',
  });
  t.same(planForPool(pool('p', [], monitor(), { admin_state_up: false })), {
    noMonitor: 'pool is admin down',
  });
  t.match(planForPool(pool('p', [], monitor({ type: 'SCTP' }))), { noMonitor: /SCTP.*not supported/ });
  const plan = planForPool(pool('p', [], monitor()));
  if (!('settings' in plan)) throw new Error('expected settings');
  t.match(probeSpec(plan.settings, member('m', 80)), { address: '127.0.0.1', port: 80 });
  t.match(probeSpec(plan.settings, member('m', 80, { monitor_address: '::1', monitor_port: 8080 })), {
    address: '::1',
    port: 8080,
  });
  t.throws(() => probeSpec(plan.settings, member('m', 80, { address: 'host' })), {
    name: 'HealthMonitorError',
    field: 'address',
  });
  t.throws(() => probeSpec(plan.settings, member('m', 0)), {
    name: 'HealthMonitorError',
    field: 'protocol_port',
  });
  t.throws(() => probeSpec(plan.settings, member('m', 80, { monitor_port: 70000 })), {
    name: 'HealthMonitorError',
    field: 'monitor_port',
  });
  const ping = planForPool(pool('p', [], monitor({ type: 'PING' })));
  if (!('settings' in ping)) throw new Error('expected settings');
  t.equal(probeSpec(ping.settings, member('m', 0)).port, 0, 'PING needs no port');
  const a = probeKey(probeSpec(plan.settings, member('m', 80)));
  t.equal(
    a,
    probeKey(probeSpec(plan.settings, member('m', 80, { weight: 7 }))),
    'weight does not change the probe',
  );
  t.not(a, probeKey(probeSpec(plan.settings, member('m', 81))));
});

t.test('ping arguments and ServerHello recognition', async (t) => {
  const spec = { type: 'PING' as const, delayMs: 1000, timeoutMs: 2000, rise: 1, fall: 1, port: 0 };
  t.same(pingArgs({ ...spec, address: '10.208.0.1' }), ['-c', '1', '-W', '2', '-n', '10.208.0.1']);
  t.same(pingArgs({ ...spec, address: 'fd00:208::1' }), ['-6', '-c', '1', '-W', '2', '-n', 'fd00:208::1']);
  t.ok(isServerHello(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x7a, 0x02])));
  t.notOk(isServerHello(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02])), 'an alert');
  t.notOk(isServerHello(Buffer.from('HTTP/1.1 400')), 'plain text');
});

t.test('limiter: never more than max at once, FIFO, clear drops waiters', async (t) => {
  t.throws(() => new Limiter(0), RangeError);
  const limiter = new Limiter(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const task = (i: number) => async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 5));
    order.push(i);
    running--;
    return i;
  };
  const results = await Promise.all([1, 2, 3, 4, 5].map((i) => limiter.run(task(i))));
  t.same(results, [1, 2, 3, 4, 5]);
  t.equal(peak, 2);
  t.same(order.slice(2), [3, 4, 5]);
  const blocker = limiter.run(() => new Promise((r) => setTimeout(r, 20)));
  const blocker2 = limiter.run(() => new Promise((r) => setTimeout(r, 20)));
  let ran = false;
  const dropped = limiter.run(async () => (ran = true));
  limiter.clear();
  t.equal(await dropped, undefined);
  await Promise.all([blocker, blocker2]);
  t.notOk(ran, 'a cleared task never runs');
  t.equal(limiter.active, 0);
});
