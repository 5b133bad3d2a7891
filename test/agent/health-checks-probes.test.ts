// Each monitor type's probe against real servers on loopback: what passes, what fails, and
// what the member actually receives (method, path, Host, HTTP version).
import t from 'tap';
import type { HealthMonitor__Output } from '../../src/grpc/gen/velox/agent/v1/HealthMonitor.js';
import type { Member__Output } from '../../src/grpc/gen/velox/agent/v1/Member.js';
import { planForPool, probeSpec } from '../../src/health/checks/monitor.js';
import { runProbe } from '../../src/health/checks/probe.js';
import { member, monitor, pool } from './fixtures/hc-pools.js';
import {
  closedPort,
  closedUdpPort,
  httpServer,
  httpsServer,
  loopbackCert,
  rawServer,
  tcpServer,
  tlsServer,
  udpServer,
} from './fixtures/hc-servers.js';

function probe(hm: Partial<HealthMonitor__Output>, port: number, fields: Partial<Member__Output> = {}) {
  const plan = planForPool(pool('p', [], monitor(hm)));
  if (!('settings' in plan)) throw new Error(`no probe: ${plan.noMonitor}`);
  return runProbe(probeSpec(plan.settings, member('m', port, fields)));
}

t.test('TCP: a listening port passes, a closed port fails', async (t) => {
  const { port, stats } = await tcpServer(t);
  t.same(await probe({ type: 'TCP' }, port), { ok: true });
  t.equal(stats.connections, 1);
  t.match(await probe({ type: 'TCP' }, await closedPort()), { ok: false, reason: /ECONNREFUSED/ });
  const v6 = await tcpServer(t, '::1');
  t.same(await probe({ type: 'TCP' }, v6.port, { address: '::1' }), { ok: true }, 'IPv6');
});

t.test('HTTP: expected codes as default, list and range', async (t) => {
  const { port } = await httpServer(t);
  const http = (expected_codes: string, path: string) =>
    probe({ type: 'HTTP', expected_codes, url_path: path }, port);
  t.same(await http('', '/status/200'), { ok: true });
  t.match(await http('', '/status/201'), { ok: false, reason: 'status 201 is not an expected code' });
  t.same(await http('200,202', '/status/202'), { ok: true });
  t.match(await http('200,202', '/status/201'), { ok: false });
  t.same(await http('200-204', '/status/204'), { ok: true });
  t.same(await http('200-204', '/status/200'), { ok: true });
  t.match(await http('200-204', '/status/205'), { ok: false });
  t.match(await http('200-204', '/status/503'), { ok: false });
  t.same(await http('301-302,404', '/status/404'), { ok: true });
});

t.test('HTTP: method, path, version and Host as received by the member', async (t) => {
  const { port, seen } = await httpServer(t);
  await probe({ type: 'HTTP' }, port);
  await probe({ type: 'HTTP', http_method: 'HEAD', url_path: '/healthz?deep=1' }, port);
  await probe({ type: 'HTTP', http_version: '1.1' }, port);
  await probe({ type: 'HTTP', http_version: '1.1', domain_name: 'app.example', http_method: 'POST' }, port);
  const v6 = await httpServer(t, '::1');
  await probe({ type: 'HTTP', http_version: '1.1' }, v6.port, { address: '::1' });
  t.match(seen, [
    { method: 'GET', url: '/', httpVersion: '1.0', host: undefined },
    { method: 'HEAD', url: '/healthz?deep=1', httpVersion: '1.0', host: undefined },
    { method: 'GET', url: '/', httpVersion: '1.1', host: '127.0.0.1', connection: 'close' },
    { method: 'POST', url: '/', httpVersion: '1.1', host: 'app.example', connection: 'close' },
  ]);
  t.equal(seen.length, 4);
  t.match(v6.seen, [{ httpVersion: '1.1', host: '[::1]' }]);
});

t.test('HTTP: non-HTTP answers, early close and silence fail', async (t) => {
  t.match(await probe({ type: 'HTTP' }, await rawServer(t, 'SSH-2.0-OpenSSH_9.2\r\n', true)), {
    ok: false,
    reason: /not an HTTP status line/,
  });
  t.match(await probe({ type: 'HTTP' }, await rawServer(t, null, true)), {
    ok: false,
    reason: /closed before a status line/,
  });
  t.same(await probe({ type: 'HTTP' }, await rawServer(t, null, false)), { ok: false, reason: 'timed out' });
  t.match(await probe({ type: 'HTTP' }, await closedPort()), { ok: false, reason: /ECONNREFUSED/ });
});

t.test('HTTPS: the member certificate is not verified; codes and request as HTTP', async (t) => {
  const cert = await loopbackCert(t);
  const { port, seen } = await httpsServer(t, cert);
  t.same(await probe({ type: 'HTTPS', url_path: '/status/200' }, port), { ok: true });
  t.match(await probe({ type: 'HTTPS', url_path: '/status/500' }, port), { ok: false });
  t.same(
    await probe(
      { type: 'HTTPS', http_version: '1.1', domain_name: 'app.example', expected_codes: '200-299' },
      port,
    ),
    {
      ok: true,
    },
  );
  t.match(seen[2], { method: 'GET', httpVersion: '1.1', host: 'app.example' });
  t.match(
    await probe({ type: 'HTTPS' }, (await httpServer(t)).port),
    { ok: false },
    'plain HTTP behind HTTPS fails',
  );
});

t.test('TLS-HELLO: a TLS server passes, plain TCP servers fail', async (t) => {
  const cert = await loopbackCert(t);
  t.same(await probe({ type: 'TLS-HELLO' }, await tlsServer(t, cert)), { ok: true });
  t.same(
    await probe({ type: 'TLS-HELLO' }, await tlsServer(t, cert, true)),
    { ok: true },
    'a server wanting a client certificate still answers with a ServerHello',
  );
  t.match(await probe({ type: 'TLS-HELLO' }, await rawServer(t, null, true)), {
    ok: false,
    reason: /closed without a ServerHello/,
  });
  t.match(await probe({ type: 'TLS-HELLO' }, await rawServer(t, 'HTTP/1.1 400 Bad Request\r\n\r\n', true)), {
    ok: false,
    reason: /not a TLS ServerHello/,
  });
  t.same(await probe({ type: 'TLS-HELLO' }, await rawServer(t, null, false)), {
    ok: false,
    reason: 'timed out',
  });
  t.match(await probe({ type: 'TLS-HELLO' }, await closedPort()), { ok: false, reason: /ECONNREFUSED/ });
});

t.test('UDP-CONNECT: a bound port passes, an unbound port fails (ICMP port unreachable)', async (t) => {
  const silent = await udpServer(t, 'udp4');
  t.same(await probe({ type: 'UDP-CONNECT' }, silent.port), { ok: true });
  t.equal(silent.stats.datagrams, 1, 'the member received the datagram');
  const replying = await udpServer(t, 'udp6', 'pong');
  t.same(
    await probe({ type: 'UDP-CONNECT', timeout: 30 }, replying.port, { address: '::1' }),
    { ok: true },
    'a reply passes at once',
  );
  t.match(await probe({ type: 'UDP-CONNECT' }, await closedUdpPort('udp4')), {
    ok: false,
    reason: /ECONNREFUSED/,
  });
  t.match(await probe({ type: 'UDP-CONNECT' }, await closedUdpPort('udp6'), { address: '::1' }), {
    ok: false,
    reason: /ECONNREFUSED/,
  });
});

t.test('PING: loopback answers (IPv4 and IPv6)', async (t) => {
  t.same(await probe({ type: 'PING' }, 0), { ok: true });
  t.same(await probe({ type: 'PING' }, 0, { address: '::1' }), { ok: true });
});
