// The API benchmark's HTTP client: real sockets to the controller, kept alive
// (node:http Agent) as an SDK keeps them, with a bounded number of requests in flight.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  /** The status a correct answer has; any other is an error of the run. */
  expect: number;
}

export interface ApiAnswer {
  status: number;
  body: string;
}

export class ApiClient {
  private readonly agent: Agent;

  constructor(
    private readonly host: string,
    private readonly port: number,
    connections: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  send(r: ApiRequest): Promise<ApiAnswer> {
    const payload = r.body === undefined ? undefined : JSON.stringify(r.body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          method: r.method,
          path: r.path,
          agent: this.agent,
          headers: payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The parsed body of a request that must succeed (set-up, not measured). */
  async json(r: ApiRequest): Promise<Record<string, unknown>> {
    const a = await this.send(r);
    if (a.status !== r.expect) throw new Error(describe(r, a));
    return JSON.parse(a.body) as Record<string, unknown>;
  }

  close(): void {
    this.agent.destroy();
  }
}

function describe(r: ApiRequest, a: ApiAnswer): string {
  return `${a.status} ${r.method} ${r.path}: ${a.body.slice(0, 200)}`;
}

export interface LoadOptions {
  concurrency: number;
  /** Stop after this many requests, or … */
  count?: number;
  /** … after this many seconds (requests in flight then are completed and counted). */
  seconds?: number;
  next: (i: number) => ApiRequest;
  /** Sees each correct answer (to collect the ids of what was created). */
  onAnswer?: (i: number, a: ApiAnswer) => void;
  /**
   * Untimed work after each request (re-activating a load balancer): only with
   * concurrency 1, where the time it takes can be taken out of the run exactly.
   */
  between?: (i: number) => Promise<void>;
}

export interface LoadRun {
  latenciesMs: number[];
  /** Wall time of the run, less the untimed `between` work. */
  busyMs: number;
  errors: string[];
}

export async function runLoad(client: ApiClient, o: LoadOptions): Promise<LoadRun> {
  if ((o.count === undefined) === (o.seconds === undefined))
    throw new Error('runLoad: give count or seconds');
  if (o.between && o.concurrency !== 1) throw new Error('runLoad: `between` needs concurrency 1');
  const latenciesMs: number[] = [];
  const errors = new Set<string>();
  let issued = 0;
  let pausedMs = 0;
  const start = performance.now();
  const deadline = o.seconds === undefined ? Infinity : start + o.seconds * 1000;
  const more = (): boolean => (o.count === undefined ? performance.now() < deadline : issued < o.count);
  const worker = async (): Promise<void> => {
    while (more()) {
      const i = issued++;
      const r = o.next(i);
      const t0 = performance.now();
      let answer: ApiAnswer;
      try {
        answer = await client.send(r);
      } catch (err) {
        errors.add(`${r.method} ${r.path}: ${(err as Error).message}`);
        continue;
      }
      latenciesMs.push(performance.now() - t0);
      if (answer.status !== r.expect) errors.add(describe(r, answer).replace(/[0-9a-f-]{36}/g, '<id>'));
      else o.onAnswer?.(i, answer);
      if (o.between) {
        const p0 = performance.now();
        await o.between(i);
        pausedMs += performance.now() - p0;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return { latenciesMs, busyMs: performance.now() - start - pausedMs, errors: [...errors].slice(0, 5) };
}
