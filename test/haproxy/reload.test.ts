// Changing what HAProxy serves: seamless reloads under a running transfer, and refused
// configs or failed reloads that leave the old config serving. Loopback 127.209.3.0/24.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  amphora,
  eventually,
  exchange,
  freePort,
  listener,
  managerFor,
  member,
  pool,
  startMember,
  type Member,
} from './helpers.js';

const VIP = '127.209.3.1';

function serving(port: number, m: Member, over = {}) {
  return amphora(
    [listener({ vip_address: VIP, protocol_port: port, ...over })],
    [pool([member(m.name, m.address, m.port)])],
  );
}

t.test('a reload during a long transfer does not cut it; new connections get the new config', async (t) => {
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  const CHUNK = Buffer.alloc(64 * 1024, 7);
  const CHUNKS = 30;
  const slow = await startMember(t, 'slow', '127.209.3.11', (sock) => {
    let sent = 0;
    const timer = setInterval(() => {
      if (sent++ < CHUNKS) sock.write(CHUNK);
      else {
        clearInterval(timer);
        sock.end();
      }
    }, 100);
    sock.on('close', () => clearInterval(timer));
  });
  const fresh = await startMember(t, 'fresh', '127.209.3.12');
  await manager.apply(serving(port, slow), ['l1']);

  let received = 0;
  const done = new Promise<void>((resolve, reject) => {
    const sock = connect({ host: VIP, port });
    sock.on('data', (d: Buffer) => (received += d.length));
    sock.on('error', reject);
    sock.on('close', () => resolve());
  });
  await eventually('the transfer to start', () => (received > 0 ? true : undefined));
  await manager.apply(serving(port, fresh), ['l1']);
  t.equal((await exchange(VIP, port)).trim(), 'fresh', 'a new connection reaches the new member');
  t.ok(received < CHUNKS * CHUNK.length, 'while the transfer is still running');
  await done;
  t.equal(received, CHUNKS * CHUNK.length, 'every byte of the transfer arrived');
});

t.test('a config haproxy -c refuses: HaproxyConfigError, the old config keeps serving', async (t) => {
  const { manager, runDir } = managerFor(t);
  const port = await freePort(VIP);
  const m = await startMember(t, 'm', '127.209.3.21');
  await manager.apply(serving(port, m), ['l1']);
  const before = readFileSync(join(runDir, 'haproxy.cfg'), 'utf8');
  // Beyond HAProxy's timer range (2^31 ms): the renderer lets HAProxy be the judge.
  const err = await manager
    .apply(serving(port, m, { timeout_client_data: 4_000_000_000 }), ['l1'])
    .catch((e: Error) => e);
  t.match(err, { name: 'HaproxyConfigError', output: /timer overflow|timeout/i });
  t.equal(readFileSync(join(runDir, 'haproxy.cfg'), 'utf8'), before, 'the live file is untouched');
  t.equal((await exchange(VIP, port)).trim(), 'm', 'the old config serves');
});

t.test(
  'a reload that fails (VIP not local): HaproxyProcessError, the old worker keeps serving',
  async (t) => {
    const { manager, runDir } = managerFor(t);
    const port = await freePort(VIP);
    const m = await startMember(t, 'm', '127.209.3.31');
    await manager.apply(serving(port, m), ['l1']);
    const before = readFileSync(join(runDir, 'haproxy.cfg'), 'utf8');
    const twoListeners = amphora(
      [
        listener({ vip_address: VIP, protocol_port: port }),
        listener({ id: 'l2', vip_address: '10.209.3.1', protocol_port: port }), // not an address of this host
      ],
      [pool([member('m', m.address, m.port)])],
    );
    const err = await manager.apply(twoListeners, ['l1', 'l2']).catch((e: Error) => e);
    t.match(err, { name: 'HaproxyProcessError', message: /cannot bind|Cannot assign/ });
    t.equal(
      readFileSync(join(runDir, 'haproxy.cfg'), 'utf8'),
      before,
      'the file on disk is the old config again',
    );
    t.equal((await exchange(VIP, port)).trim(), 'm', 'the old config serves');
    const m2 = await startMember(t, 'm2', '127.209.3.32');
    await manager.apply(serving(port, m2), ['l1']);
    t.equal((await exchange(VIP, port)).trim(), 'm2', 'and the next good config is applied');
  },
);

t.test(
  "a first start that fails: HaproxyProcessError with HAProxy's reason, then a good config starts",
  async (t) => {
    const { manager } = managerFor(t);
    const port = await freePort(VIP);
    const m = await startMember(t, 'm', '127.209.3.35');
    const err = await manager
      .apply(serving(port, m, { vip_address: '10.209.3.1' }), ['l1'])
      .catch((e: Error) => e);
    t.match(err, { name: 'HaproxyProcessError', message: /cannot bind|Cannot assign/ });
    await manager.apply(serving(port, m), ['l1']);
    t.equal((await exchange(VIP, port)).trim(), 'm');
  },
);
