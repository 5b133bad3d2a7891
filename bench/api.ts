// The API benchmark (`--only api`): requests per second and p50/p99 latency of
// create, list and show of load balancers, listeners and members, with 10, 100 and
// 1000 of each in the database. Every (round, size) gets a fresh controller process
// (bench/api-server.ts) and SQLite file; this process only generates load.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient, runLoad, type ApiRequest, type LoadOptions } from './api-load.js';
import type { ParentMessage, ServerMessage } from './api-server.js';
import { sampleOf, summarizeApi, type ApiOptions, type ApiResult, type ApiSample } from './api-summary.js';

const LBAAS = '/v2/lbaas';
/** Untimed requests before each list and show run, and creates before the first (JIT, SQLite). */
const WARMUP = 20;
const START_TIMEOUT_MS = 60_000;

interface Server {
  port: number;
  vipSubnetId: string;
  /** Mark these load balancers and everything under them ACTIVE, as the worker would. */
  activate(ids: string[]): Promise<void>;
  /** Remove these load balancers' rows, as the worker does once a delete is done. */
  purge(ids: string[]): Promise<void>;
  stop(): Promise<void>;
}

function startServer(dbPath: string): Promise<Server> {
  // The same extension as this file: .js from dist/, .ts under a TypeScript loader
  // (fork passes this process's execArgv, the loader included, on to the child).
  const script = fileURLToPath(
    new URL(`./api-server${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
  );
  const child: ChildProcess = fork(script, [dbPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let seq = 0;
  const waiting = new Map<number, { done: () => void; fail: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A server that dies mid-run fails what waits on it instead of hanging the benchmark.
  child.once('exit', (code) => {
    for (const w of waiting.values()) w.fail(new Error(`the API server exited (${code})`));
    waiting.clear();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the API server did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the API server exited (${code}) before it was ready`));
    });
    child.on('message', (m: ServerMessage) => {
      if (m.type === 'done') {
        waiting.get(m.seq)?.done();
        waiting.delete(m.seq);
        return;
      }
      clearTimeout(timer);
      const ask = (type: ParentMessage['type'], ids: string[]): Promise<void> =>
        new Promise((done, fail) => {
          waiting.set(++seq, { done, fail });
          child.send({ type, seq, ids } satisfies ParentMessage);
        });
      resolve({
        port: m.port,
        vipSubnetId: m.vipSubnetId,
        activate: (ids) => ask('activate', ids),
        purge: (ids) => ask('purge', ids),
        async stop() {
          child.disconnect();
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(killer);
        },
      });
    });
  });
}

type What = Pick<ApiSample, 'resource' | 'op' | 'label' | 'size' | 'concurrency'>;

async function timed(client: ApiClient, what: What, o: Omit<LoadOptions, 'concurrency'>): Promise<ApiSample> {
  const run = await runLoad(client, { ...o, concurrency: what.concurrency });
  return sampleOf(what, run.latenciesMs, run.busyMs, run.errors);
}

/** List and show of one resource: a warm-up, then `seconds` of each at full concurrency. */
async function readRuns(
  client: ApiClient,
  o: ApiOptions,
  resource: string,
  size: number,
  listPath: string,
  showPath: (i: number) => string,
  label: { list: string; show: string },
): Promise<ApiSample[]> {
  const samples: ApiSample[] = [];
  const listed = await client.json({ method: 'GET', path: listPath, expect: 200 });
  const count = (listed[resource] as unknown[] | undefined)?.length;
  const listCheck = count === size ? [] : [`the list holds ${count} ${resource}, not ${size}`];
  for (const op of ['list', 'show'] as const) {
    const next = (i: number): ApiRequest => ({
      method: 'GET',
      path: op === 'list' ? listPath : showPath(i % size),
      expect: 200,
    });
    await runLoad(client, { concurrency: o.concurrency, count: WARMUP, next });
    const s = await timed(
      client,
      { resource, op, label: label[op], size, concurrency: o.concurrency },
      { seconds: o.seconds, next },
    );
    samples.push(op === 'list' ? { ...s, errors: [...listCheck, ...s.errors] } : s);
  }
  return samples;
}

/**
 * The i-th VIP, given in the request: the local driver's allocation pool holds 241
 * addresses per subnet, fewer than the 1000 load balancers. 172.31.1.1 onwards, .1–.250
 * of each /24 of the benchmark's /20 (bench/api-server.ts).
 */
export function vipAddress(i: number): string {
  return `172.31.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

const idOf = (body: string, key: string): string =>
  (JSON.parse(body) as Record<string, { id: string }>)[key]!.id;

/**
 * Untimed: each create path WARMUP times (a fresh process is cold), then everything made
 * is deleted (cascade) and its rows removed, so the timed runs start from an empty database.
 */
async function warmUp(c: ApiClient, s: Server): Promise<void> {
  const lbs: string[] = [];
  for (let i = 0; i < WARMUP; i++) {
    const body = { loadbalancer: { vip_subnet_id: s.vipSubnetId, vip_address: `172.31.10.${i + 1}` } };
    const r = await c.json({ method: 'POST', path: `${LBAAS}/loadbalancers`, body, expect: 201 });
    lbs.push((r.loadbalancer as { id: string }).id);
  }
  await s.activate(lbs);
  for (const lb of lbs) {
    const body = { listener: { loadbalancer_id: lb, protocol: 'TCP', protocol_port: 80 } };
    await c.json({ method: 'POST', path: `${LBAAS}/listeners`, body, expect: 201 });
  }
  await s.activate(lbs);
  const lb = lbs[0]!;
  const body = { pool: { loadbalancer_id: lb, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' } };
  const pool = (await c.json({ method: 'POST', path: `${LBAAS}/pools`, body, expect: 201 })).pool as {
    id: string;
  };
  await s.activate([lb]);
  for (let i = 0; i < WARMUP; i++) {
    const member = { member: { address: '172.31.8.10', protocol_port: 1000 + i } };
    await c.json({ method: 'POST', path: `${LBAAS}/pools/${pool.id}/members`, body: member, expect: 201 });
    await s.activate([lb]);
  }
  for (const id of lbs) {
    const a = await c.send({
      method: 'DELETE',
      path: `${LBAAS}/loadbalancers/${id}?cascade=true`,
      expect: 204,
    });
    if (a.status !== 204) throw new Error(`warm-up delete: ${a.status} ${a.body}`);
  }
  await s.purge(lbs);
}

/** One size in one round: create `size` of each resource, then list and show them. */
async function measureSize(o: ApiOptions, size: number): Promise<ApiSample[]> {
  const dir = mkdtempSync(join(tmpdir(), 'velox-api-bench-'));
  let server: Server | undefined;
  let client: ApiClient | undefined;
  try {
    server = await startServer(join(dir, 'velox.db'));
    client = new ApiClient('127.0.0.1', server.port, o.concurrency);
    const s = server;
    const c = client;
    await warmUp(c, s);
    const samples: ApiSample[] = [];
    const concurrency = Math.min(o.concurrency, size);

    const lbs: string[] = [];
    samples.push(
      await timed(
        c,
        { resource: 'loadbalancers', op: 'create', label: `POST ${LBAAS}/loadbalancers`, size, concurrency },
        {
          count: size,
          next: (i) => ({
            method: 'POST',
            path: `${LBAAS}/loadbalancers`,
            body: {
              loadbalancer: { name: `lb-${i}`, vip_subnet_id: s.vipSubnetId, vip_address: vipAddress(i) },
            },
            expect: 201,
          }),
          onAnswer: (_i, a) => lbs.push(idOf(a.body, 'loadbalancer')),
        },
      ),
    );
    await s.activate(lbs);

    // One listener per load balancer: a load balancer takes one change at a time.
    const listeners: string[] = [];
    samples.push(
      await timed(
        c,
        { resource: 'listeners', op: 'create', label: `POST ${LBAAS}/listeners`, size, concurrency },
        {
          count: Math.min(size, lbs.length),
          next: (i) => ({
            method: 'POST',
            path: `${LBAAS}/listeners`,
            body: {
              listener: {
                name: `listener-${i}`,
                loadbalancer_id: lbs[i],
                protocol: 'TCP',
                protocol_port: 80,
              },
            },
            expect: 201,
          }),
          onAnswer: (_i, a) => listeners.push(idOf(a.body, 'listener')),
        },
      ),
    );
    await s.activate(lbs);

    // All members in one pool (a pool's member list is the only list of members), so
    // creates are serial: each waits for the load balancer to be ACTIVE again (untimed).
    const lb = lbs[0]!;
    const created = await c.json({
      method: 'POST',
      path: `${LBAAS}/pools`,
      body: { pool: { loadbalancer_id: lb, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' } },
      expect: 201,
    });
    const pool = (created.pool as { id: string }).id;
    await s.activate([lb]);
    const members: string[] = [];
    const membersPath = `${LBAAS}/pools/${pool}/members`;
    samples.push(
      await timed(
        c,
        {
          resource: 'members',
          op: 'create',
          label: `POST ${LBAAS}/pools/{pool_id}/members`,
          size,
          concurrency: 1,
        },
        {
          count: size,
          next: (i) => ({
            method: 'POST',
            path: membersPath,
            body: { member: { address: '172.31.8.10', protocol_port: 1000 + i } },
            expect: 201,
          }),
          onAnswer: (_i, a) => members.push(idOf(a.body, 'member')),
          between: () => s.activate([lb]),
        },
      ),
    );

    const reads: [string, string, string[], string, string][] = [
      [
        'loadbalancers',
        `${LBAAS}/loadbalancers`,
        lbs,
        `${LBAAS}/loadbalancers`,
        `${LBAAS}/loadbalancers/{id}`,
      ],
      ['listeners', `${LBAAS}/listeners`, listeners, `${LBAAS}/listeners`, `${LBAAS}/listeners/{id}`],
      [
        'members',
        membersPath,
        members,
        `${LBAAS}/pools/{pool_id}/members`,
        `${LBAAS}/pools/{pool_id}/members/{id}`,
      ],
    ];
    for (const [resource, path, ids, listLabel, showLabel] of reads) {
      if (ids.length === 0) continue; // the create run failed and says so
      samples.push(
        ...(await readRuns(c, o, resource, size, path, (i) => `${path}/${ids[i % ids.length]}`, {
          list: `GET ${listLabel}`,
          show: `GET ${showLabel}`,
        })),
      );
    }
    return samples;
  } finally {
    client?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function apiBench(o: ApiOptions, quick: boolean): Promise<ApiResult> {
  const date = new Date().toISOString();
  const rounds: ApiSample[][] = [];
  for (let r = 0; r < o.rounds; r++) {
    const round: ApiSample[] = [];
    for (const size of o.sizes) {
      console.error(`api bench: round ${r + 1}/${o.rounds}, ${size} objects`);
      round.push(...(await measureSize(o, size)));
    }
    rounds.push(round);
  }
  return {
    date,
    quick,
    machine: {
      cpu: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
      node: process.version,
    },
    options: o,
    method: [
      'The controller app (buildApp, noauth) runs in its own process on 127.0.0.1 over a SQLite file (WAL) in',
      `${tmpdir()}, with no worker: nothing is provisioned, and load balancers are set ACTIVE in the database`,
      "between creates, untimed. VIP addresses are given in each create (the local driver's pool holds 241).",
      'The load comes from this process over keep-alive HTTP connections',
      '(node:http Agent), "in flight" requests at once. Each (round, size) has a fresh server, warmed up by',
      `${WARMUP} untimed creates of each kind that are then deleted, so it starts from an empty database:`,
      'load balancers are created concurrently, one listener per load balancer concurrently, and all',
      'members in one pool serially (a load balancer takes one change at a time; req/s counts request time',
      'only). list returns every object (one page, up to 1000); show picks the objects in turn.',
      `List and show run ${o.seconds} s each after ${WARMUP} untimed requests.`,
    ],
    rows: summarizeApi(rounds),
  };
}
