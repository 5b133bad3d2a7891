// Reload under load (issue 5): clients keep sending requests, over keep-alive and new
// connections, while the configuration changes 50 times; every change is a real reload
// (never a runtime-API update) whose effect is checked, and not one request may fail.
// Real HAProxy, real members, loopback 127.209.12.0/24.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { cliCommand } from '../../src/haproxy/cli.js';
import type { AmphoraConfig__Output } from '../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { L7Policy__Output } from '../../src/grpc/gen/velox/agent/v1/L7Policy.js';
import { haproxyPaths } from '../../src/haproxy/paths.js';
import { showProc } from '../../src/haproxy/master-cli.js';
import { policy, rule } from './golden-cases-http.js';
import {
  amphora,
  captureLog,
  eventually,
  freePort,
  listener,
  managerFor,
  member,
  pool,
  startMember,
  type Member,
} from './helpers.js';
import { httpGet, startHttpMember } from './http-helpers.js';
import { httpLoad, tcpLoad, type Load, type LoadResult } from './load-clients.js';

const VIP = '127.209.12.1';
const CHANGES = 50;

/** `show stat` cells by column name, per `<proxy>/<server>` row. */
async function showStat(runDir: string): Promise<Map<string, Record<string, string>>> {
  const text = await cliCommand(haproxyPaths(runDir).adminSocket, 'show stat', 3000);
  const lines = text.split('\n').filter((l) => l !== '');
  const columns = lines[0]!.slice(2).split(',');
  const rows = new Map<string, Record<string, string>>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const row = Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));
    rows.set(`${row.pxname}/${row.svname}`, row);
  }
  return rows;
}

function serversOf(rows: Map<string, Record<string, string>>, backend: string): string[] {
  return [...rows.keys()]
    .filter((k) => k.startsWith(`${backend}/`) && !k.endsWith('/BACKEND'))
    .map((k) => k.slice(backend.length + 1))
    .sort();
}

/** Stops the load at teardown too, so a failed assertion never leaves loops running. */
function stopAtTeardown(t: Test, load: Load): () => Promise<LoadResult> {
  let result: Promise<LoadResult> | undefined;
  const stop = () => (result ??= load.stop());
  t.teardown(async () => {
    await stop();
  });
  return stop;
}

function report(t: Test, r: LoadResult, minimum: number): void {
  t.same(r.failures.slice(0, 10), [], `no request failed (${r.failures.length} failures)`);
  t.equal(r.answered, r.sent, `every request answered (${r.answered} of ${r.sent})`);
  t.ok(r.sent >= minimum, `the load kept going through the reloads (${r.sent} requests)`);
}

/** Once the clients are gone, the old workers finish: only the current one is left. */
async function oldWorkersGone(t: Test, runDir: string): Promise<void> {
  const workers = await eventually('the old workers to exit', async () => {
    const proc = await showProc(haproxyPaths(runDir).masterSocket);
    return proc && proc.workers.length === 1 ? proc.workers : undefined;
  });
  t.equal(workers.length, 1, 'no old worker is left once the clients are gone');
}

/** Waits for at least `n` more answered requests: the load really runs between reloads. */
async function loadProgress(load: Load, n: number): Promise<void> {
  const target = load.answered() + n;
  for (let i = 0; i < 200 && load.answered() < target; i++) await new Promise((r) => setTimeout(r, 10));
}

t.test('HTTP: 50 reloads under keep-alive and new-connection load, not one request fails', async (t) => {
  const log = captureLog();
  const { manager, runDir } = managerFor(t, log);
  const port = await freePort(VIP);
  const names = ['a', 'b', 'c'];
  const members = await Promise.all(names.map((n, i) => startHttpMember(t, n, `127.209.12.${11 + i}`)));
  const [a, b, c] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];

  // Change i: always a new probe redirect and frontend maxconn (each proves the new worker
  // serves), plus in turn: member c in or out, new timeouts, a new REJECT policy.
  interface Shape {
    withC: boolean;
    timeouts: number;
    deny: string;
  }
  const config = (i: number, s: Shape): AmphoraConfig__Output => {
    const policies: L7Policy__Output[] = [
      policy('probe', 'REDIRECT_TO_URL', 1, [rule('probe-path', 'PATH', '/probe')], {
        redirect_url: `http://reload.example/${i}`,
        redirect_http_code: 302,
      }),
      policy('deny', 'REJECT', 2, [rule('deny-header', 'HEADER', s.deny, { key: 'X-Deny' })]),
    ];
    const ms = [member('a', a.address, a.port), member('b', b.address, b.port)];
    if (s.withC) ms.push(member('c', c.address, c.port));
    return amphora(
      [
        listener({
          protocol: 'HTTP',
          vip_address: VIP,
          protocol_port: port,
          connection_limit: 10_000 + i,
          timeout_client_data: 30_000 + s.timeouts,
          timeout_member_connect: 3_000 + s.timeouts,
          timeout_member_data: 30_000 + s.timeouts,
          l7policies: policies,
        }),
      ],
      [pool(ms, { protocol: 'HTTP' })],
    );
  };
  let shape: Shape = { withC: true, timeouts: 0, deny: 'd0' };
  await manager.apply(config(0, shape), ['l1']);

  const load = httpLoad(VIP, port, {
    keepAlive: 4,
    fresh: 2,
    path: '/',
    goodBody: (body) => names.includes(body),
  });
  const stop = stopAtTeardown(t, load);
  const reloadsBefore = log.events.filter((e) => e.event === 'haproxy_reloaded').length;
  const procBefore = await showProc(haproxyPaths(runDir).masterSocket);

  for (let i = 1; i <= CHANGES; i++) {
    await loadProgress(load, 20);
    if (i % 3 === 0) shape = { ...shape, withC: !shape.withC };
    if (i % 3 === 1) shape = { ...shape, timeouts: i * 10 };
    if (i % 3 === 2) shape = { ...shape, deny: `d${i}` };
    await manager.apply(config(i, shape), ['l1']);

    const probe = await httpGet(VIP, port, '/probe');
    t.equal(probe.headers.location, `http://reload.example/${i}`, `change ${i}: the new probe redirect`);
    const stat = await showStat(runDir);
    const slim = stat.get('l1/FRONTEND')?.slim;
    const servers = serversOf(stat, 'p1:l1');
    const denied = (await httpGet(VIP, port, '/', { headers: { 'X-Deny': shape.deny } })).status;
    t.same(
      { slim, servers, denied },
      { slim: String(10_000 + i), servers: shape.withC ? ['a', 'b', 'c'] : ['a', 'b'], denied: 403 },
      `change ${i}: the new worker's maxconn, members and REJECT policy`,
    );
    if (i % 3 === 1) {
      const file = readFileSync(haproxyPaths(runDir).config, 'utf8');
      t.match(file, `timeout client ${30_000 + i * 10}ms`, `change ${i}: the new timeouts are in the file`);
    }
  }
  await loadProgress(load, 50);
  const result = await stop();
  report(t, result, CHANGES * 20);
  t.ok(result.reused > CHANGES, `keep-alive sockets were reused (${result.reused} times)`);
  t.equal(
    log.events.filter((e) => e.event === 'haproxy_reloaded').length - reloadsBefore,
    CHANGES,
    'every change was a reload',
  );
  t.equal(log.events.filter((e) => e.event === 'haproxy_runtime_update').length, 0, 'none at runtime');
  const procAfter = await showProc(haproxyPaths(runDir).masterSocket);
  t.equal(procAfter!.reloads - procBefore!.reloads, CHANGES, 'the master reloaded 50 times');
  await oldWorkersGone(t, runDir);
});

t.test('TCP: 50 reloads under new and long-lived connection load, not one request fails', async (t) => {
  const log = captureLog();
  const { manager, runDir } = managerFor(t, log);
  const port = await freePort(VIP);
  const echo = (name: string) => (sock: Socket) => {
    let buffered = '';
    sock.on('data', (d: Buffer) => {
      buffered += d.toString();
      let at: number;
      while ((at = buffered.indexOf('\n')) >= 0) {
        sock.write(`${name}:${buffered.slice(0, at)}\n`);
        buffered = buffered.slice(at + 1);
      }
    });
  };
  const names = ['ta', 'tb', 'tc'];
  const members: Member[] = [];
  for (const [i, n] of names.entries())
    members.push(await startMember(t, n, `127.209.12.${21 + i}`, echo(n)));
  const config = (i: number, withC: boolean, timeouts: number): AmphoraConfig__Output =>
    amphora(
      [
        listener({
          vip_address: VIP,
          protocol_port: port,
          connection_limit: 10_000 + i,
          timeout_client_data: 30_000 + timeouts,
          timeout_member_connect: 3_000 + timeouts,
          timeout_member_data: 30_000 + timeouts,
        }),
      ],
      [pool(members.filter((m) => withC || m.name !== 'tc').map((m) => member(m.name, m.address, m.port)))],
    );
  let withC = true;
  let timeouts = 0;
  await manager.apply(config(0, withC, timeouts), ['l1']);

  const load = tcpLoad(VIP, port, { fresh: 3, longLived: 3, goodMember: (n) => names.includes(n) });
  const stop = stopAtTeardown(t, load);
  for (let i = 1; i <= CHANGES; i++) {
    await loadProgress(load, 20);
    if (i % 2 === 0) withC = !withC;
    else timeouts = i * 10;
    await manager.apply(config(i, withC, timeouts), ['l1']);
    const stat = await showStat(runDir);
    const slim = stat.get('l1/FRONTEND')?.slim;
    const servers = serversOf(stat, 'p1:l1');
    t.same(
      { slim, servers },
      { slim: String(10_000 + i), servers: withC ? ['ta', 'tb', 'tc'] : ['ta', 'tb'] },
      `change ${i}: the new worker's maxconn and members`,
    );
  }
  await loadProgress(load, 50);
  const result = await stop();
  report(t, result, CHANGES * 20);
  t.equal(
    log.events.filter((e) => e.event === 'haproxy_reloaded').length,
    CHANGES,
    'every change was a reload',
  );
  await oldWorkersGone(t, runDir);
});
