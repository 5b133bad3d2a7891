// Hostile bodies: nesting deep enough to overflow any recursive walker is refused with
// Octavia's 400 on every POST and PUT route before anything walks it, and an oversized body
// gets its 413 (with the fault body) even over a real socket while the client is still
// writing, where closing early would make the kernel reset the connection.
import { connect, type Socket } from 'node:net';
import t from 'tap';
import {
  MAX_BODY_BYTES,
  MAX_JSON_DEPTH,
  jsonDepthExceeds,
  parseJsonBody,
} from '../../../controller/api/body-parser.js';
import { VeloxError } from '../../../controller/errors.js';
import { activeLb, harness } from './helpers.js';

type Doc = { paths: Record<string, Record<string, unknown>> };

function isFault(body: unknown): boolean {
  const b = body as Record<string, unknown>;
  return (
    typeof b === 'object' &&
    b !== null &&
    Object.keys(b).sort().join() === 'debuginfo,faultcode,faultstring' &&
    typeof b.faultstring === 'string' &&
    b.debuginfo === null
  );
}

t.test('jsonDepthExceeds counts brackets outside strings only', async (t) => {
  t.equal(jsonDepthExceeds('[[[]]]', 3), false);
  t.equal(jsonDepthExceeds('[[[[]]]]', 3), true);
  t.equal(jsonDepthExceeds('{"a":{"b":[1]}}', 3), false);
  t.equal(jsonDepthExceeds('{"a":"[[[[[[[["}', 1), false, 'brackets inside a string do not count');
  t.equal(jsonDepthExceeds('{"a":"\\"[[[[["}', 1), false, 'an escaped quote does not end the string');
  t.equal(jsonDepthExceeds('[' + '{"x":'.repeat(40) + '1' + '}'.repeat(40) + ']', MAX_JSON_DEPTH), true);
  t.throws(() => parseJsonBody('['.repeat(100_000) + ']'.repeat(100_000)), VeloxError);
  t.equal(parseJsonBody('  '), undefined, 'an empty body is no body');
  t.same(parseJsonBody('{"a":[1,{"b":2}]}'), { a: [1, { b: 2 }] });
});

t.test('100,000 nested arrays: 400 with the fault body on every POST and PUT route', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const doc = (await h.req('GET', '/openapi.json')).body as Doc;
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const wrapped = `{"loadbalancer":${'{"x":'.repeat(50_000)}1${'}'.repeat(50_000)}}`;
  let routes = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops).filter((m) => m === 'post' || m === 'put')) {
      routes++;
      // Path parameters: a real load balancer id where one fits, so routes get past their lookup.
      const url = path.replace(/\{[^}]+\}/g, lb.id);
      for (const payload of [deep, wrapped]) {
        const r = await h.app.inject({
          method: method.toUpperCase() as 'POST' | 'PUT',
          url,
          payload,
          headers: { 'content-type': 'application/json' },
        });
        t.equal(r.statusCode, 400, `${method} ${url}: ${r.body.slice(0, 120)}`);
        t.ok(isFault(JSON.parse(r.body)), `${method} ${url}: Octavia's fault body`);
      }
    }
  }
  t.ok(routes >= 20, `${routes} POST/PUT routes in the document`);
  t.ok(doc.paths['/v2/velox/secrets']?.post, 'the secrets upload is among them');
  const after = await h.req('GET', `/v2/lbaas/loadbalancers/${lb.id}`);
  t.equal(after.status, 200, 'the app still answers');
});

/** Send `head`, `size` bytes in `chunk`-byte writes (pausing now and then), then `tail`; read the whole answer. */
function slowUpload(
  port: number,
  head: string,
  size: number,
  chunk: number,
  tail = '',
): Promise<{ status: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    const sock: Socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let done = false;
    const end = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const [headers = '', body = ''] = answer.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0);
      resolve({ status, body, ...(error ? { error } : {}) });
    };
    const timer = setTimeout(() => end('timed out after 60 s'), 60_000);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (answer += d));
    sock.on('end', () => end());
    sock.on('error', (e) => end(e.message));
    const block = Buffer.alloc(chunk, 'a');
    const pump = () => {
      while (sent < size && !done) {
        const n = Math.min(chunk, size - sent);
        sent += n;
        if (!sock.write(n === chunk ? block : block.subarray(0, n))) return void sock.once('drain', pump);
        if (sent % (chunk * 8) === 0) return void setTimeout(pump, 1); // slowly, in many writes
      }
      if (sent === size && tail && !done) sock.write(tail);
    };
    sock.once('connect', () => {
      sock.write(head);
      pump();
    });
  });
}

t.test('oversized bodies over a real socket: the client reads the 413 fault body', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as { port: number }).port;
  const cases = [
    { name: '10 MB body with Content-Length', size: 10 * 1024 * 1024, chunked: false },
    { name: '1 MB JSON string (just over the limit)', size: MAX_BODY_BYTES + 16, chunked: false },
    { name: '3 MB body, chunked transfer encoding', size: 3 * 1024 * 1024, chunked: true },
  ];
  for (const c of cases) {
    const url = '/v2/lbaas/loadbalancers';
    let r;
    if (c.chunked) {
      // One chunk header for the whole body, then its bytes in many writes, then the last chunk.
      const head = `POST ${url} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${c.size.toString(16)}\r\n`;
      r = await slowUpload(port, head, c.size, 16 * 1024, '\r\n0\r\n\r\n');
    } else {
      const head = `POST ${url} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${c.size}\r\n\r\n`;
      r = await slowUpload(port, head, c.size, 16 * 1024);
    }
    t.equal(r.error, undefined, `${c.name}: no connection error`);
    t.equal(r.status, 413, `${c.name}: 413`);
    const body = r.body ? (JSON.parse(r.body) as { faultstring?: string }) : {};
    t.ok(isFault(body), `${c.name}: Octavia's fault body`);
    t.match(body.faultstring, /larger than the limit/);
  }
  const ok = await fetch(`http://127.0.0.1:${port}/v2/lbaas/loadbalancers`);
  t.equal(ok.status, 200, 'the server still answers');
});
