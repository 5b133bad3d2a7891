// Member weight and admin state changes go through HAProxy's runtime API, without a reload;
// every other change reloads. Live part on loopback 127.213.3.0/24.
import t from 'tap';
import { cliCommand } from '../../src/haproxy/cli.js';
import { haproxyPaths } from '../../src/haproxy/paths.js';
import { renderHaproxyConfig } from '../../src/haproxy/render.js';
import { runtimeCommands } from '../../src/haproxy/runtime-update.js';
import { parseInfoPid } from '../../src/haproxy/stats.js';
import type { Member__Output } from '../../src/grpc/gen/velox/agent/v1/Member.js';
import { amphora, captureLog, eventually, freePort, listener, managerFor, member, pool } from './helpers.js';
import { httpDistribution, startHttpMember } from './http-helpers.js';

const RUN_DIR = '/run/velox/haproxy';
const http = { protocol: 'HTTP' };

function render(members: Member__Output[], vip = '10.213.0.100', port = 80): string {
  const config = amphora(
    [listener({ ...http, vip_address: vip, protocol_port: port })],
    [pool(members, http)],
  );
  return renderHaproxyConfig(config, ['l1'], { runDir: RUN_DIR });
}

t.test('which differences the runtime API can apply', async (t) => {
  const base = [member('m1', '10.213.0.11', 80), member('m2', '10.213.0.12', 80)];
  const with_ = (i: number, over: Partial<Member__Output>) =>
    base.map((m, k) => (k === i ? { ...m, ...over } : m));
  t.same(runtimeCommands(render(base), render(base)), [], 'nothing changed');
  t.same(runtimeCommands(render(base), render(with_(1, { weight: 0 }))), ['set server p1:l1/m2 weight 0']);
  t.same(runtimeCommands(render(base), render(with_(0, { admin_state_up: false }))), [
    'set server p1:l1/m1 state maint',
  ]);
  t.same(runtimeCommands(render(with_(0, { admin_state_up: false, weight: 5 })), render(base)), [
    'set server p1:l1/m1 weight 1',
    'set server p1:l1/m1 state ready',
  ]);
  t.equal(runtimeCommands(render(base), render(with_(1, { backup: true }))), undefined, 'backup: reload');
  t.equal(runtimeCommands(render(base), render(with_(1, { protocol_port: 81 }))), undefined, 'port: reload');
  t.equal(runtimeCommands(render(base), render(base.slice(0, 1))), undefined, 'a member removed: reload');
  t.equal(runtimeCommands(render(base), render(base, '10.213.0.101')), undefined, 'the VIP: reload');
});

t.test('live: weights and admin state change without a new worker', async (t) => {
  const log = captureLog();
  const { manager, runDir } = managerFor(t, log);
  const VIP = '127.213.3.1';
  const port = await freePort(VIP);
  const a = await startHttpMember(t, 'a', '127.213.3.11');
  const b = await startHttpMember(t, 'b', '127.213.3.12');
  const config = (ma: Partial<Member__Output>, mb: Partial<Member__Output>) =>
    amphora(
      [listener({ ...http, vip_address: VIP, protocol_port: port })],
      [pool([member('a', a.address, a.port, ma), member('b', b.address, b.port, mb)], http)],
    );
  const workerPid = async () => parseInfoPid(await cliCommand(haproxyPaths(runDir).adminSocket, 'show info'));

  await manager.apply(config({}, {}), ['l1']);
  const pid = await workerPid();
  t.ok(pid, `worker ${pid}`);
  t.same(await httpDistribution(VIP, port, 4), { a: 2, b: 2 });

  await manager.apply(config({}, { weight: 0 }), ['l1']);
  t.equal(await workerPid(), pid, 'weight 0: same worker');
  t.same(await httpDistribution(VIP, port, 4), { a: 4 }, 'b is drained');
  t.equal((await manager.status()).members.find((m) => m.id === 'b')?.status, 'DRAINING');

  await manager.apply(config({ admin_state_up: false }, { weight: 3 }), ['l1']);
  t.equal(await workerPid(), pid, 'admin down and a weight: same worker');
  t.same(await httpDistribution(VIP, port, 4), { b: 4 }, 'a is in maintenance');
  t.equal((await manager.status()).members.find((m) => m.id === 'a')?.status, 'OFFLINE');

  await manager.apply(config({}, {}), ['l1']);
  t.equal(await workerPid(), pid, 'back up: same worker');
  t.same(await httpDistribution(VIP, port, 4), { a: 2, b: 2 });
  t.equal(
    log.events.filter((e) => e.event === 'haproxy_runtime_update').length,
    3,
    'three runtime updates logged',
  );

  await manager.apply(config({}, { backup: true }), ['l1']);
  const after = await eventually('the new worker', async () => {
    const p = await workerPid();
    return p !== pid ? p : undefined;
  });
  t.not(after, pid, 'a backup flag needs a reload: new worker');
  t.same(await httpDistribution(VIP, port, 4), { a: 4 }, 'the backup waits');
});
