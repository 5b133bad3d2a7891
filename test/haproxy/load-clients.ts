// Clients that keep sending requests until told to stop, for the reload-under-load tests:
// HTTP over keep-alive connections (several sockets of one agent) and over a new
// connection per request, and TCP request/response on new and on long-lived connections.
// Every failure is kept with what the client saw; loops are bounded in count and time.
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';

const REQUEST_TIMEOUT_MS = 5_000;
const MAX_REQUESTS_PER_LOOP = 100_000;

export interface LoadFailure {
  loop: string;
  what: string; // error code and message, or the unexpected answer
  reusedSocket?: boolean;
  at: number; // ms since the load started
}

export interface LoadResult {
  sent: number;
  answered: number; // with the expected answer
  reused: number; // HTTP requests sent on a kept-alive socket
  failures: LoadFailure[];
}

export interface Load {
  /** Stops every loop after its request in flight and waits for all of them. */
  stop(): Promise<LoadResult>;
  /** Requests answered so far. */
  answered(): number;
}

interface Counters {
  sent: number;
  answered: number;
  reused: number;
  failures: LoadFailure[];
}

function runLoops(loops: Record<string, (c: Counters) => Promise<void>>, cleanup: () => void): Load {
  const counters: Counters = { sent: 0, answered: 0, reused: 0, failures: [] };
  let stopping = false;
  const running = Object.entries(loops).map(async ([name, once]) => {
    for (let n = 0; n < MAX_REQUESTS_PER_LOOP && !stopping; n++) {
      await once(counters).catch((err: NodeJS.ErrnoException) => {
        counters.failures.push({ loop: name, what: `${err.code ?? ''} ${err.message}`, at: 0 });
      });
    }
  });
  return {
    answered: () => counters.answered,
    async stop() {
      stopping = true;
      await Promise.all(running);
      cleanup();
      return { ...counters, failures: [...counters.failures] };
    },
  };
}

/**
 * HTTP GETs of `path` on host:port: `keepAlive` loops share one keep-alive agent with that
 * many sockets, `fresh` loops open a new connection per request. An answer is good when
 * its status is 200 and `goodBody` accepts its body.
 */
export function httpLoad(
  host: string,
  port: number,
  opts: { keepAlive: number; fresh: number; path: string; goodBody: (body: string) => boolean },
): Load {
  const start = Date.now();
  const agent = new Agent({ keepAlive: true, maxSockets: opts.keepAlive });
  const once = (loop: string, viaAgent: boolean) => (c: Counters) =>
    new Promise<void>((resolve) => {
      c.sent++;
      let reused = false;
      const fail = (what: string) => {
        c.failures.push({ loop, what, reusedSocket: reused, at: Date.now() - start });
        resolve();
      };
      const req = request({ host, port, path: opts.path, agent: viaAgent ? agent : false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('error', (err: NodeJS.ErrnoException) => fail(`response ${err.code ?? ''} ${err.message}`));
        res.on('end', () => {
          clearTimeout(timer);
          const body = Buffer.concat(chunks).toString();
          if (res.statusCode === 200 && opts.goodBody(body)) {
            c.answered++;
            resolve();
          } else fail(`status ${res.statusCode}: ${body.slice(0, 200)}`);
        });
      });
      req.on('socket', () => {
        reused = req.reusedSocket;
        if (reused) c.reused++;
      });
      const timer = setTimeout(() => {
        req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(`${err.code ?? ''} ${err.message}`);
      });
      req.end();
    });
  const loops: Record<string, (c: Counters) => Promise<void>> = {};
  for (let i = 0; i < opts.keepAlive; i++) loops[`keep-alive ${i}`] = once(`keep-alive ${i}`, true);
  for (let i = 0; i < opts.fresh; i++) loops[`new connection ${i}`] = once(`new connection ${i}`, false);
  return runLoops(loops, () => agent.destroy());
}

/** Sends `line\n`, resolves with the next line read (or rejects). */
function ask(sock: Socket, line: string, reader: LineReader): Promise<string> {
  const answer = reader.next();
  sock.write(`${line}\n`);
  return answer;
}

class LineReader {
  private buffered = '';
  private waiting: { resolve: (l: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private ended: Error | undefined;

  constructor(sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.buffered += d.toString();
      let at: number;
      while ((at = this.buffered.indexOf('\n')) >= 0 && this.waiting.length > 0) {
        const line = this.buffered.slice(0, at);
        this.buffered = this.buffered.slice(at + 1);
        const w = this.waiting.shift()!;
        clearTimeout(w.timer);
        w.resolve(line);
      }
    });
    const end = (err: Error) => {
      this.ended = err;
      for (const w of this.waiting.splice(0)) {
        clearTimeout(w.timer);
        w.reject(err);
      }
    };
    sock.on('error', (err) => end(err));
    sock.on('close', () => end(new Error('connection closed before the answer')));
  }

  next(): Promise<string> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)),
        REQUEST_TIMEOUT_MS,
      );
      this.waiting.push({ resolve, reject, timer });
    });
  }
}

function connected(host: string, port: number): Promise<{ sock: Socket; reader: LineReader }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    const reader = new LineReader(sock);
    sock.once('connect', () => resolve({ sock, reader }));
    sock.once('error', reject);
  });
}

/**
 * TCP request/response lines on host:port: `fresh` loops connect for every request,
 * `longLived` loops keep one connection for the whole run. A good answer is `<member>:<line>`
 * with `goodMember` accepting the member.
 */
export function tcpLoad(
  host: string,
  port: number,
  opts: { fresh: number; longLived: number; goodMember: (name: string) => boolean },
): Load {
  const start = Date.now();
  const open = new Set<Socket>();
  let seq = 0;
  const check = (c: Counters, loop: string, line: string, answer: string) => {
    const [name, echoed] = answer.split(':');
    if (echoed === line && opts.goodMember(name ?? '')) c.answered++;
    else
      c.failures.push({ loop, what: `answer ${JSON.stringify(answer)} to ${line}`, at: Date.now() - start });
  };
  const failure = (c: Counters, loop: string) => (err: NodeJS.ErrnoException) => {
    c.failures.push({ loop, what: `${err.code ?? ''} ${err.message}`, at: Date.now() - start });
  };
  const loops: Record<string, (c: Counters) => Promise<void>> = {};
  for (let i = 0; i < opts.fresh; i++) {
    const loop = `new connection ${i}`;
    loops[loop] = async (c) => {
      c.sent++;
      const line = `q${++seq}`;
      let sock: Socket | undefined;
      try {
        const conn = await connected(host, port);
        sock = conn.sock;
        open.add(sock);
        check(c, loop, line, await ask(sock, line, conn.reader));
      } catch (err) {
        failure(c, loop)(err as NodeJS.ErrnoException);
      } finally {
        sock?.destroy();
        if (sock) open.delete(sock);
      }
    };
  }
  for (let i = 0; i < opts.longLived; i++) {
    const loop = `long-lived ${i}`;
    let conn: Promise<{ sock: Socket; reader: LineReader }> | undefined;
    loops[loop] = async (c) => {
      c.sent++;
      const line = `l${++seq}`;
      try {
        conn ??= connected(host, port).then((x) => (open.add(x.sock), x));
        const { sock, reader } = await conn;
        check(c, loop, line, await ask(sock, line, reader));
        await new Promise((r) => setTimeout(r, 5)); // a conversation, not a flood
      } catch (err) {
        failure(c, loop)(err as NodeJS.ErrnoException);
        conn = undefined; // the next request reconnects (and this one counted as failed)
      }
    };
  }
  return runLoops(loops, () => {
    for (const s of open) s.destroy();
  });
}
