// status() from HAProxy's runtime stats: member health with real checks (TCP, HTTP, PING),
// drain and admin states, counters that survive a reload; close() leaves nothing behind.
// Loopback 127.209.4.0/24.
import t from 'tap';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { HaproxyObjectStatus } from '../../src/haproxy/manager.js';
import {
  amphora,
  eventually,
  exchange,
  freePort,
  haproxyPids,
  listener,
  managerFor,
  member,
  monitor,
  pidAlive,
  pool,
  startMember,
} from './helpers.js';

const VIP = '127.209.4.1';

function byId(list: HaproxyObjectStatus[]): Record<string, HaproxyObjectStatus> {
  return Object.fromEntries(list.map((s) => [s.id, s]));
}

t.test('member health, drain and admin states, and counters across a reload', async (t) => {
  const { manager } = managerFor(t);
  const [p1, p2] = [await freePort(VIP), await freePort(VIP)];
  const echo = (name: string) => (sock: import('node:net').Socket) =>
    sock.once('data', (d: Buffer) => sock.end(`${name}:${d.toString()}`));
  const up = await startMember(t, 'up', '127.209.4.11', echo('up'));
  const dying = await startMember(t, 'dying', '127.209.4.12', echo('dying'));
  const drained = await startMember(t, 'drained', '127.209.4.13', echo('drained'));
  const plain = await startMember(t, 'plain', '127.209.4.14');
  const config = (timeout: number) =>
    amphora(
      [
        listener({ id: 'checked', vip_address: VIP, protocol_port: p1, timeout_client_data: timeout }),
        listener({ id: 'unchecked', vip_address: VIP, protocol_port: p2, default_pool_id: 'p2' }),
        listener({
          id: 'off',
          vip_address: VIP,
          protocol_port: p2,
          admin_state_up: false,
          default_pool_id: '',
        }),
      ],
      [
        pool(
          [
            member('up', up.address, up.port),
            member('dying', dying.address, dying.port),
            member('drained', drained.address, drained.port, { weight: 0 }),
            member('disabled', '127.209.4.15', 9, { admin_state_up: false }),
          ],
          { health_monitor: monitor('TCP') },
        ),
        pool([member('plain', plain.address, plain.port)], { id: 'p2' }),
      ],
    );
  await manager.apply(config(0), ['checked', 'unchecked', 'off']);

  let s = await eventually('checks to settle', async () => {
    const st = await manager.status();
    return byId(st.members).dying?.status === 'ONLINE' ? st : undefined;
  });
  t.same(
    Object.fromEntries(s.members.map((m) => [m.id, m.status])),
    { up: 'ONLINE', dying: 'ONLINE', drained: 'DRAINING', disabled: 'OFFLINE', plain: 'NO_MONITOR' },
    'members: checked up, weight 0, admin down, no monitor',
  );
  t.same(Object.fromEntries(s.listeners.map((l) => [l.id, l.status])), {
    checked: 'ONLINE',
    unchecked: 'ONLINE',
    off: 'OFFLINE',
  });
  t.same(byId(s.pools).p1?.status, 'ONLINE');

  await dying.close();
  s = await eventually('the dead member to be seen DOWN', async () => {
    const st = await manager.status();
    return byId(st.members).dying?.status === 'ERROR' ? st : undefined;
  });
  t.equal(byId(s.pools).p1?.status, 'DEGRADED', 'a pool with a member down is DEGRADED');
  t.equal(byId(s.members).up?.status, 'ONLINE');

  for (let i = 0; i < 6; i++) t.equal(await exchange(VIP, p1, { send: 'hello' }), 'up:hello');
  s = await manager.status();
  t.match(byId(s.listeners).checked, {
    totalConnections: 6,
    bytesIn: 30,
    bytesOut: 48,
    activeConnections: 0,
  });
  t.match(byId(s.members).up, { totalConnections: 6, bytesIn: 30, bytesOut: 48 });
  t.match(byId(s.pools).p1, { totalConnections: 6 });

  await manager.apply(config(40_000), ['checked', 'unchecked', 'off']); // a reload: a new worker, counters from 0
  for (let i = 0; i < 2; i++) t.equal(await exchange(VIP, p1, { send: 'hello' }), 'up:hello');
  s = await manager.status();
  t.match(byId(s.listeners).checked, { totalConnections: 8, bytesIn: 40 }, 'totals carry over the reload');
  t.match(byId(s.members).up, { totalConnections: 8 });
});

t.test('HTTP and PING monitors', async (t) => {
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  const http = (code: number, address: string) =>
    new Promise<{ port: number; close: () => void }>((resolve) => {
      const server = createServer((req, res) => {
        res.writeHead(req.url === '/health' && req.headers.host === 'app.example' ? code : 404);
        res.end();
      });
      server.listen(0, address, () => {
        t.teardown(() => server.close());
        resolve({ port: (server.address() as { port: number }).port, close: () => server.close() });
      });
    });
  const ok = await http(204, '127.209.4.21');
  const failing = await http(500, '127.209.4.22');
  const checks = {
    url_path: '/health',
    expected_codes: '200-204',
    domain_name: 'app.example',
    http_version: '1.1',
  };
  await manager.apply(
    amphora(
      [
        listener({ id: 'web', vip_address: VIP, protocol_port: port }),
        listener({
          id: 'pinged',
          vip_address: VIP,
          protocol_port: await freePort(VIP),
          default_pool_id: 'ping',
        }),
      ],
      [
        pool([member('ok', '127.209.4.21', ok.port), member('failing', '127.209.4.22', failing.port)], {
          health_monitor: monitor('HTTP', checks),
        }),
        pool(
          // 0.0.0.1 cannot be pinged (EINVAL, no packet leaves); 127.209.4.23 answers on lo.
          [member('pingable', '127.209.4.23', 9), member('unpingable', '0.0.0.1', 9)],
          { id: 'ping', health_monitor: monitor('PING') },
        ),
      ],
    ),
    ['web', 'pinged'],
  );
  const s = await eventually('HTTP and PING checks to decide', async () => {
    const st = byId((await manager.status()).members);
    const settled = ['ok', 'failing', 'pingable', 'unpingable'].every((id) =>
      /ONLINE|ERROR/.test(st[id]!.status),
    );
    return settled && st.failing!.status === 'ERROR' && st.unpingable!.status === 'ERROR' ? st : undefined;
  });
  t.equal(s.ok?.status, 'ONLINE', 'expected status with the right Host: ONLINE');
  t.equal(s.failing?.status, 'ERROR', '500: ERROR');
  t.equal(s.pingable?.status, 'ONLINE', 'answers ping: ONLINE');
  t.equal(s.unpingable?.status, 'ERROR', 'no ping answer: ERROR');
});

t.test('close() stops the master and its workers and removes the sockets', async (t) => {
  const { manager, runDir } = managerFor(t);
  const port = await freePort(VIP);
  const m = await startMember(t, 'm', '127.209.4.31');
  await manager.apply(
    amphora([listener({ vip_address: VIP, protocol_port: port })], [pool([member('m', m.address, m.port)])]),
    ['l1'],
  );
  const pids = haproxyPids(runDir);
  t.ok(pids.length >= 2, `a master and a worker run (${pids.join(', ')})`);
  await manager.close();
  t.same(pids.filter(pidAlive), [], 'none of them is left');
  t.same(haproxyPids(runDir), [], 'nothing else names the run directory');
  for (const f of ['haproxy.sock', 'master.sock', 'haproxy.pid'])
    t.notOk(existsSync(join(runDir, f)), `${f} removed`);
  await t.rejects(exchange(VIP, port), { code: 'ECONNREFUSED' });
  await t.rejects(manager.apply(amphora([], []), ['l1']), { name: 'HaproxyProcessError' }, 'closed for good');
});
