// Supervising the HAProxy master: restarted when it dies (a bounded number of times), a
// missing binary named, and a master left by a killed agent adopted by the next one.
// Loopback 127.209.5.0/24.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HaproxyManager } from '../../src/haproxy/manager.js';
import {
  amphora,
  captureLog,
  eventually,
  exchange,
  freePort,
  haproxyPids,
  listener,
  managerFor,
  member,
  pidAlive,
  pool,
  startMember,
  type Member,
} from './helpers.js';

const VIP = '127.209.5.1';
const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'agent.ts');

function serving(port: number, m: Member, over = {}) {
  return amphora(
    [listener({ vip_address: VIP, protocol_port: port, ...over })],
    [pool([member(m.name, m.address, m.port)])],
  );
}

t.test('a master that dies is restarted and serves again', async (t) => {
  const log = captureLog();
  const { manager, runDir } = managerFor(t, log);
  const port = await freePort(VIP);
  const m = await startMember(t, 'm', '127.209.5.41');
  await manager.apply(serving(port, m), ['l1']);
  const first = Number(readFileSync(join(runDir, 'haproxy.pid'), 'utf8'));
  process.kill(first, 'SIGKILL');
  await eventually('a restarted master serving', async () =>
    (await exchange(VIP, port, { timeoutMs: 500 })).trim() === 'm' &&
    log.events.some((e) => e.event === 'haproxy_restarted')
      ? true
      : undefined,
  );
  t.ok(
    log.events.some((e) => e.event === 'haproxy_exited' && e.level === 'error'),
    'the death is logged',
  );
  const second = Number(readFileSync(join(runDir, 'haproxy.pid'), 'utf8'));
  t.not(second, first, 'by a new master');
  t.equal((await manager.status()).listeners[0]?.status, 'ONLINE');
});

t.test('restarts are bounded: after too many deaths status() says ERROR until the next apply', async (t) => {
  const log = captureLog();
  const { manager, runDir } = managerFor(t, log);
  const port = await freePort(VIP);
  const m = await startMember(t, 'm', '127.209.5.45');
  await manager.apply(serving(port, m), ['l1']);
  const masterPid = () => Number(readFileSync(join(runDir, 'haproxy.pid'), 'utf8'));
  for (let deaths = 1; deaths <= 5; deaths++) {
    const pid = masterPid();
    process.kill(pid, 'SIGKILL');
    await eventually(`restart ${deaths}`, async () =>
      masterPid() !== pid && (await exchange(VIP, port, { timeoutMs: 500 })).trim() === 'm'
        ? true
        : undefined,
    );
  }
  process.kill(masterPid(), 'SIGKILL');
  await eventually('the supervisor to give up', () =>
    log.events.some((e) => e.event === 'haproxy_restart_gave_up') ? true : undefined,
  );
  const s = await manager.status();
  t.same(
    [...s.listeners, ...s.pools, ...s.members].map((o) => `${o.id} ${o.status}`),
    ['l1 ERROR', 'p1 ERROR', 'm ERROR'],
    'everything HAProxy should serve is ERROR',
  );
  // The worker outlives its SIGKILLed master for a moment: wait for it to go.
  await eventually('the last worker to exit', () => (haproxyPids(runDir).length === 0 ? true : undefined));
  await t.rejects(exchange(VIP, port), { code: 'ECONNREFUSED' });
  await manager.apply(serving(port, m), ['l1']);
  t.equal((await exchange(VIP, port)).trim(), 'm', 'the next apply starts it again');
  t.equal((await manager.status()).listeners[0]?.status, 'ONLINE');
});

t.test('no haproxy binary: HaproxyNotInstalledError naming it', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'vxhp-'));
  const manager = new HaproxyManager({ runDir: join(base, 'haproxy'), haproxyBin: '/nonexistent/haproxy' });
  t.teardown(async () => {
    await manager.close();
    rmSync(base, { recursive: true, force: true });
  });
  const m = member('m', '127.209.5.51', 9);
  await t.rejects(manager.apply(amphora([listener({ vip_address: VIP })], [pool([m])]), ['l1']), {
    name: 'HaproxyNotInstalledError',
    message: /\/nonexistent\/haproxy/,
  });
});

/** Runs the agent fixture (a manager applying `config`), kills it with SIGKILL, returns HAProxy's master pid. */
async function killedAgent(t: Test, runDir: string, config: object): Promise<number> {
  const agent = spawn(process.execPath, [...process.execArgv, fixture, runDir, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
  });
  t.teardown(() => agent.kill('SIGKILL'));
  const masterPid = await new Promise<number>((resolve, reject) => {
    agent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    agent.once('exit', (code) => reject(new Error(`the agent fixture exited with ${code}`)));
  });
  agent.kill('SIGKILL');
  await new Promise((r) => agent.once('exit', r));
  return masterPid;
}

t.test('a master left by a killed agent is adopted, not restarted', async (t) => {
  const { manager, runDir } = managerFor(t);
  const port = await freePort(VIP);
  const m = await startMember(t, 'm', '127.209.5.61');
  const config = serving(port, m);
  const masterPid = await killedAgent(t, runDir, config);
  t.ok(pidAlive(masterPid), 'HAProxy outlives the agent');
  t.equal((await exchange(VIP, port)).trim(), 'm', 'and keeps serving');

  await manager.apply(config, ['l1']);
  t.equal(Number(readFileSync(join(runDir, 'haproxy.pid'), 'utf8')), masterPid, 'the same master, adopted');
  const m2 = await startMember(t, 'm2', '127.209.5.62');
  await manager.apply(serving(port, m2), ['l1']);
  t.equal((await exchange(VIP, port)).trim(), 'm2', 'the adopted master reloads');
  await manager.close();
  await eventually('the adopted master to stop', () => (pidAlive(masterPid) ? undefined : true));
  t.pass('close() stops an adopted master too');
});

t.test(
  'a master left by a killed agent is drained (it exits) when the next agent serves nothing with HAProxy',
  async (t) => {
    const { manager, runDir } = managerFor(t);
    const port = await freePort(VIP);
    const m = await startMember(t, 'm', '127.209.5.63');
    const masterPid = await killedAgent(t, runDir, serving(port, m));
    t.equal((await exchange(VIP, port)).trim(), 'm', 'the orphan serves');
    await manager.apply(amphora([], []), []);
    await eventually('the orphan to stop', () => (pidAlive(masterPid) ? undefined : true));
    // The worker outlives its SIGKILLed master for a moment: wait for it to go.
    await eventually('the last worker to exit', () => (haproxyPids(runDir).length === 0 ? true : undefined));
    await t.rejects(exchange(VIP, port), { code: 'ECONNREFUSED' });
  },
);
