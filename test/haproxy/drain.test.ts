// apply(config, []) drains HAProxy instead of stopping it: the listeners close at once, the
// connections already open keep working until their clients close them (as when a listener
// moves to XDP), then the old master and its worker exit. Loopback 127.209.20.0/24.
import t, { type Test } from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { showProc } from '../../src/haproxy/master-cli.js';
import {
  amphora,
  eventually,
  exchange,
  freePort,
  listener,
  managerFor,
  member,
  pidAlive,
  pool,
  startMember,
  type Member,
} from './helpers.js';

const VIP = '127.209.20.1';

function serving(port: number, m: Member) {
  return amphora(
    [listener({ vip_address: VIP, protocol_port: port })],
    [pool([member(m.name, m.address, m.port)])],
  );
}

/** A member that echoes every byte back. */
function echoMember(t: Test, name: string, address: string): Promise<Member> {
  return startMember(t, name, address, (sock) => sock.on('data', (d: Buffer) => sock.write(d)));
}

/** A client connection that sends a line and waits (bounded) for the echo of it. */
async function openClient(
  t: Test,
  port: number,
): Promise<{ sock: Socket; roundTrip(line: string): Promise<string> }> {
  const sock = connect({ host: VIP, port });
  t.teardown(() => void sock.destroy());
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  let received = '';
  sock.on('data', (d: Buffer) => (received += d.toString('utf8')));
  const roundTrip = async (line: string): Promise<string> => {
    received = '';
    sock.write(`${line}\n`);
    return eventually(
      `the echo of ${line}`,
      () => (received.endsWith('\n') ? received.trim() : undefined),
      3000,
      20,
    );
  };
  return { sock, roundTrip };
}

function closeClient(sock: Socket): Promise<void> {
  return new Promise((resolve) => {
    sock.once('close', () => resolve());
    sock.end();
  });
}

/** The master's pid and its (only) worker's, from the pid file and the master CLI. */
async function masterAndWorker(runDir: string): Promise<{ master: number; worker: number }> {
  const master = Number(readFileSync(join(runDir, 'haproxy.pid'), 'utf8'));
  const proc = await showProc(join(runDir, 'master.sock'));
  const worker = proc?.workers[0]?.pid;
  if (proc?.masterPid !== master || worker === undefined) throw new Error('no master with a worker');
  return { master, worker };
}

t.test('[] drains: an open connection keeps working, new ones are refused, then HAProxy exits', async (t) => {
  const { manager, runDir } = managerFor(t);
  const port = await freePort(VIP);
  const m = await echoMember(t, 'm', '127.209.20.11');
  const config = serving(port, m);
  await manager.apply(config, ['l1']);
  const { master, worker } = await masterAndWorker(runDir);
  const client = await openClient(t, port);
  t.equal(await client.roundTrip('before'), 'before', 'the connection works before');

  await manager.apply(config, []);
  for (let i = 0; i < 5; i++) {
    t.equal(await client.roundTrip(`after ${i}`), `after ${i}`, `round trip ${i} after the drain`);
  }
  await t.rejects(exchange(VIP, port), { code: 'ECONNREFUSED' }, 'the listener is closed at once');
  t.same(await manager.status(), { listeners: [], pools: [], members: [] }, 'nothing served any more');
  t.notOk(existsSync(join(runDir, 'haproxy.pid')), 'no pid file: a restarted agent adopts nothing');
  t.ok(pidAlive(master) && pidAlive(worker), 'master and worker still run for the open connection');
  await manager.apply(config, []);
  t.equal(await client.roundTrip('again'), 'again', 'a second apply with [] leaves the drain alone');

  await closeClient(client.sock);
  await eventually('the drained worker and master to exit', () =>
    pidAlive(worker) || pidAlive(master) ? undefined : true,
  );
  t.pass('nothing is left once the client closed');
});

t.test('close() while draining stops the draining master and its worker', async (t) => {
  const { manager, runDir } = managerFor(t);
  const port = await freePort(VIP);
  const m = await echoMember(t, 'm', '127.209.20.21');
  const config = serving(port, m);
  await manager.apply(config, ['l1']);
  const { master, worker } = await masterAndWorker(runDir);
  const client = await openClient(t, port);
  const closed = new Promise<void>((resolve) => client.sock.once('close', () => resolve()));
  await manager.apply(config, []);
  t.equal(await client.roundTrip('draining'), 'draining');

  await manager.close();
  t.notOk(pidAlive(master), 'the draining master is gone');
  await eventually('the worker to exit', () => (pidAlive(worker) ? undefined : true));
  await closed;
  t.pass('and the connection it held is closed');
});

t.test('listeners again while the old master drains: a fresh master serves the same port', async (t) => {
  const { manager, runDir } = managerFor(t);
  const port = await freePort(VIP);
  const oldMember = await echoMember(t, 'old', '127.209.20.31');
  const fresh = await startMember(t, 'fresh', '127.209.20.32');
  const other = await startMember(t, 'other', '127.209.20.33');
  await manager.apply(serving(port, oldMember), ['l1']);
  const old = await masterAndWorker(runDir);
  const client = await openClient(t, port);
  await manager.apply(serving(port, oldMember), []);

  await manager.apply(serving(port, fresh), ['l1']);
  const now = await masterAndWorker(runDir);
  t.not(now.master, old.master, 'a new master, not the draining one adopted');
  t.equal((await exchange(VIP, port)).trim(), 'fresh', 'new connections reach the new master');
  t.equal(await client.roundTrip('still'), 'still', 'the old connection keeps working beside it');
  t.equal((await manager.status()).listeners[0]?.status, 'ONLINE');

  await closeClient(client.sock);
  await eventually('the old master and worker to exit', () =>
    pidAlive(old.worker) || pidAlive(old.master) ? undefined : true,
  );
  t.ok(pidAlive(now.master), 'the new master stays');
  // The old master's exit must not have taken the new master's files with it.
  t.equal(
    Number(readFileSync(join(runDir, 'haproxy.pid'), 'utf8')),
    now.master,
    'the pid file names the new master',
  );
  t.equal((await manager.status()).listeners[0]?.status, 'ONLINE', 'the admin socket answers');
  await manager.apply(serving(port, other), ['l1']);
  t.equal((await exchange(VIP, port)).trim(), 'other', 'and the new master reloads');
});
