// What the fuzz suite found, pinned down: prototype keys in query strings were looked up
// on the field maps' prototypes (a 500), and the router's and HTTP parser's own refusals
// left without Octavia's fault body.
import { connect } from 'node:net';
import t from 'tap';
import { activeLb, harness } from './helpers.js';

function isFault(text: string, faultcode = 'Client'): boolean {
  const b = JSON.parse(text) as Record<string, unknown>;
  return (
    Object.keys(b).sort().join() === 'debuginfo,faultcode,faultstring' &&
    b.faultcode === faultcode &&
    b.debuginfo === null
  );
}

t.test('prototype keys in list queries are unknown names, not 500s', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  await activeLb(h);
  for (const url of [
    '/v2/lbaas/pools?__proto__=1',
    '/v2/lbaas/loadbalancers?constructor=x',
    '/v2/lbaas/flavors?toString=1',
    '/v2/lbaas/healthmonitors?hasOwnProperty=1',
  ]) {
    const r = await h.req('GET', url);
    t.equal(r.status, 400, url);
    t.equal(r.body.faultstring, 'One or more arguments are either duplicate or invalid', url);
  }
  for (const key of ['__proto__', 'constructor', 'toString']) {
    const r = await h.req('GET', `/v2/lbaas/loadbalancers?sort=${key}:asc`);
    t.equal(r.status, 400, `sort=${key}`);
    t.equal(r.body.faultstring, `Supplied sort key '${key}' is not valid.`);
  }
  const r = await h.req('GET', '/v2/lbaas/loadbalancers?fields=__proto__&fields=constructor&fields=id');
  t.equal(r.status, 200);
  const lb = r.body.loadbalancers[0];
  t.same(Object.keys(lb), ['id'], 'only the real field is shown');
  t.equal(Object.getPrototypeOf(lb), Object.prototype);
});

t.test("the router's refusals carry the fault body", async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const r = await h.app.inject({ method: 'GET', url: `/v2/lbaas/pools/${'a'.repeat(300)}` });
  t.equal(r.statusCode, 414, 'a path parameter over the router limit');
  t.ok(isFault(r.body));
  const bad = await h.app.inject({ method: 'GET', url: '/v2/lbaas/pools/%E0%A4%A' });
  t.equal(bad.statusCode, 400, 'a malformed percent-encoding');
  t.ok(isFault(bad.body));
});

t.test('HTTP the parser cannot read is answered with a fault body over the socket', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as { port: number }).port;
  for (const raw of [
    'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
    'NOT-HTTP\r\n\r\n',
  ]) {
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => s.end(raw));
      let data = '';
      const timer = setTimeout(() => s.destroy(new Error('no answer in 10 s')), 10_000);
      s.on('data', (d: Buffer) => (data += d.toString('utf8')));
      s.on('close', () => (clearTimeout(timer), resolve(data)));
      s.on('error', reject);
    });
    t.match(answer, /^HTTP\/1\.1 400 /, JSON.stringify(raw));
    t.ok(isFault(answer.split('\r\n\r\n')[1] ?? '{}'), 'fault body');
  }
});
