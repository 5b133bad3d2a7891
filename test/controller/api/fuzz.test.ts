// The API under hostile clients: generated requests for every operation of the OpenAPI
// document (fuzz/requests.ts), in process (app.inject) and a shorter run over a real
// socket. No 5xx, Octavia's fault body on every 4xx, the database unchanged by every
// refused request, the API still answering. Bounded for `make test`; `make fuzz` runs a
// long one. Reproduce a failure with the printed seed:
//   VELOX_FUZZ_SEED=<seed> VELOX_FUZZ_ITERATIONS=<n> npx tap --disable-coverage test/controller/api/fuzz.test.ts
import { request, Agent } from 'node:http';
import t from 'tap';
import { Fuzzer, type FuzzReport, type Send } from './fuzz/run.js';
import { fuzzSeed } from './fuzz/prng.js';
import { changedTables, dbDigest } from './fuzz/db-digest.js';
import { PUBLIC_SUBNET, activeLb, harness, subnetId } from './helpers.js';

const seed = fuzzSeed();
const iterations = Number(process.env.VELOX_FUZZ_ITERATIONS ?? 1500);
const socketIterations = Math.max(100, Math.floor(iterations / 5));
/** A wall-clock bound as well, so a slow machine cannot run the bounded version for ever. */
const deadlineMs = Number(process.env.VELOX_FUZZ_SECONDS ?? 60) * 1000;

function summary(r: FuzzReport): string {
  const statuses = Object.entries(r.byStatus)
    .sort()
    .map(([s, n]) => `${s}:${n}`)
    .join(' ');
  return `seed ${r.seed}: ${r.sent} requests; by status ${statuses}`;
}

t.test('the database digest sees a change and names its table', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const before = await dbDigest(h.db);
  t.equal((await dbDigest(h.db)).hash, before.hash, 'stable when nothing changed');
  t.ok(Object.keys(before.tables).length >= 10, 'every table is read');
  await activeLb(h);
  const after = await dbDigest(h.db);
  t.not(after.hash, before.hash);
  t.ok(changedTables(before, after).includes('load_balancer'), changedTables(before, after).join());
});

t.test(`in process (app.inject), seed ${seed}`, async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const send: Send = async (r) => {
    const res = await h.app.inject({
      method: r.method as 'GET',
      url: r.url,
      headers: r.headers,
      ...(r.payload !== undefined ? { payload: r.payload } : {}),
    });
    return { status: res.statusCode, body: res.body };
  };
  const fuzzer = new Fuzzer(h.db, send, subnetId(h, PUBLIC_SUBNET));
  await fuzzer.buildFixture();
  const report = await fuzzer.run(seed, iterations, deadlineMs);
  t.comment(summary(report));
  t.comment(`by kind ${JSON.stringify(report.byKind)}`);
  t.same(report.failures, [], `no failures (${summary(report)})`);
  t.ok(report.sent >= Math.min(iterations, 200), 'enough requests sent');
  t.ok(
    Object.keys(report.byStatus).some((s) => s.startsWith('2')),
    'some requests were accepted',
  );
});

t.test(`over a real socket, seed ${seed + 1}`, async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as { port: number }).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const send: Send = (r) =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: r.method,
          path: r.url,
          // Explicit: node sends a GET's body unframed otherwise, which desynchronises the connection.
          headers: {
            ...r.headers,
            ...(r.payload !== undefined ? { 'content-length': String(Buffer.byteLength(r.payload)) } : {}),
          },
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
      req.on('error', reject);
      req.end(r.payload);
    });
  const fuzzer = new Fuzzer(h.db, send, subnetId(h, PUBLIC_SUBNET));
  await fuzzer.buildFixture();
  const report = await fuzzer.run(seed + 1, socketIterations, deadlineMs / 3);
  t.comment(summary(report));
  t.same(report.failures, [], `no failures (${summary(report)})`);
  t.ok(report.sent >= Math.min(socketIterations, 50), 'enough requests sent');
});
