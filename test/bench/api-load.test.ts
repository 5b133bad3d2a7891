// The API benchmark's load generator against a real HTTP server on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { ApiClient, runLoad } from '../../bench/api-load.js';

/** An echo server that holds each answer `holdMs` (so that concurrent requests overlap). */
async function server(
  t: Test,
  holdMs = 2,
): Promise<{ port: number; connections: () => number; inFlight: () => number }> {
  let connections = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const s: Server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      setTimeout(() => {
        inFlight--;
        const status = req.url === '/fail' ? 500 : req.method === 'POST' ? 201 : 200;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ echo: body ? JSON.parse(body) : null, url: req.url }));
      }, holdMs);
    });
  });
  s.on('connection', () => connections++);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => s.close(() => resolve())));
  return {
    port: (s.address() as AddressInfo).port,
    connections: () => connections,
    inFlight: () => maxInFlight,
  };
}

t.test('count mode: every request timed, at most `concurrency` kept-alive connections', async (t) => {
  const srv = await server(t, 20); // long enough that the four requests surely overlap
  const client = new ApiClient('127.0.0.1', srv.port, 4);
  t.teardown(() => client.close());
  const seen: number[] = [];
  const run = await runLoad(client, {
    concurrency: 4,
    count: 60,
    next: (i) => ({ method: 'POST', path: `/x/${i}`, body: { i }, expect: 201 }),
    onAnswer: (i, a) => {
      t.equal((JSON.parse(a.body) as { echo: { i: number } }).echo.i, i, 'the body sent is request i');
      seen.push(i);
    },
  });
  t.equal(run.latenciesMs.length, 60);
  t.same(run.errors, []);
  t.same(
    seen.sort((a, b) => a - b),
    Array.from({ length: 60 }, (_, i) => i),
  );
  t.ok(srv.connections() <= 4, `${srv.connections()} connection(s) for 60 requests`);
  t.equal(srv.inFlight(), 4, 'four in flight at once');
  t.ok(run.busyMs >= 20 * 15, 'fifteen rounds of 20 ms at least');
});

t.test('unexpected statuses are errors, named once; between() is taken out of the time', async (t) => {
  const srv = await server(t);
  const client = new ApiClient('127.0.0.1', srv.port, 1);
  t.teardown(() => client.close());
  const failed = await runLoad(client, {
    concurrency: 2,
    count: 5,
    next: () => ({ method: 'GET', path: '/fail', expect: 200 }),
  });
  t.equal(failed.errors.length, 1);
  t.match(failed.errors[0]!, /^500 GET \/fail: /);

  let paused = 0;
  const serial = await runLoad(client, {
    concurrency: 1,
    count: 5,
    next: () => ({ method: 'GET', path: '/ok', expect: 200 }),
    between: async () => {
      paused++;
      await new Promise((r) => setTimeout(r, 50));
    },
  });
  t.equal(paused, 5);
  t.ok(serial.busyMs < 5 * 50, `busy ${serial.busyMs.toFixed(1)} ms excludes the 250 ms of pauses`);
  t.ok(serial.busyMs >= 5 * 2);

  const timedRun = await runLoad(client, {
    concurrency: 1,
    seconds: 0.1,
    next: () => ({ method: 'GET', path: '/ok', expect: 200 }),
  });
  t.ok(timedRun.latenciesMs.length > 0 && timedRun.busyMs >= 100, 'seconds mode runs about that long');
  t.ok(timedRun.busyMs < 2000);
});

t.test('bad load options are refused', async (t) => {
  const client = new ApiClient('127.0.0.1', 9, 1);
  t.teardown(() => client.close());
  const next = () => ({ method: 'GET' as const, path: '/', expect: 200 });
  await t.rejects(runLoad(client, { concurrency: 1, next }), /give count or seconds/);
  await t.rejects(runLoad(client, { concurrency: 1, count: 1, seconds: 1, next }), /give count or seconds/);
  await t.rejects(
    runLoad(client, { concurrency: 2, count: 1, next, between: async () => undefined }),
    /needs concurrency 1/,
  );
  const refused = await runLoad(client, { concurrency: 1, count: 2, next });
  t.equal(refused.latenciesMs.length, 0);
  t.match(refused.errors[0]!, /ECONNREFUSED/, 'a connection error is an error, not a latency');
});
