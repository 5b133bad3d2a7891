// Server state across reloads (server-state-file, as Octavia uses it): a member HAProxy's
// checks found DOWN is still DOWN in the new worker, before its first check; a member whose
// server line changed starts afresh; weights and admin states always follow the new config,
// also after runtime-API changes. Real HAProxy, loopback 127.209.12.0/24 (.40-.69).
import t from 'tap';
import { cliCommand } from '../../src/haproxy/cli.js';
import { haproxyPaths } from '../../src/haproxy/paths.js';
import { renderHaproxyConfig } from '../../src/haproxy/render.js';
import { EMPTY_SERVER_STATE, serverStateForReload } from '../../src/haproxy/server-state.js';
import type { Member__Output } from '../../src/grpc/gen/velox/agent/v1/Member.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  amphora,
  captureLog,
  eventually,
  freePort,
  listener,
  managerFor,
  member,
  monitor,
  pool,
} from './helpers.js';
import { startHttpMember } from './http-helpers.js';

const VIP = '127.209.12.40';
const http = { protocol: 'HTTP' };

/** `show stat` status and weight per server of backend p1:l1. */
async function servers(runDir: string): Promise<Record<string, { status: string; weight: string }>> {
  const text = await cliCommand(haproxyPaths(runDir).adminSocket, 'show stat', 3000);
  const lines = text.split('\n').filter((l) => l !== '');
  const columns = lines[0]!.slice(2).split(',');
  const out: Record<string, { status: string; weight: string }> = {};
  for (const line of lines.slice(1)) {
    const row = Object.fromEntries(line.split(',').map((v, i) => [columns[i], v]));
    if (row.pxname === 'p1:l1' && row.svname !== 'BACKEND') {
      out[row.svname!] = { status: row.status!, weight: row.weight! };
    }
  }
  return out;
}

// The header of HAProxy 2.6's `show servers state`.
const HEADER =
  '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight ' +
  'srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state ' +
  'srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port ' +
  'srv_check_addr srv_agent_addr srv_agent_port';
const row = (srv: string, addr: string, port: number, op: number, admin: number, uw: number, iw: number) =>
  `3 p1:l1 1 ${srv} ${addr} ${op} ${admin} ${uw} ${iw} 12 8 2 0 6 0 0 0 - ${port} - 0 0 - - 0`;

t.test('the config names the state file only when its caller keeps one', async (t) => {
  const config = amphora([listener(http)], [pool([member('m', '127.209.12.60', 80)], http)]);
  const base = mkdtempSync(join(tmpdir(), 'vxhp-state-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const paths = haproxyPaths(base);
  const plain = renderHaproxyConfig(config, ['l1'], { runDir: base });
  t.notMatch(plain, /server-state/, 'not by default');
  const text = renderHaproxyConfig(config, ['l1'], { runDir: base, serverState: true });
  const section = (name: string) =>
    text
      .split('\n\n')
      .find((s) => s.startsWith(`${name}\n`))
      ?.split('\n');
  t.ok(section('global')?.includes(`    server-state-file ${paths.serverStateFile}`), 'named in global');
  t.ok(section('defaults')?.includes('    load-server-state-from-file global'), 'loaded in defaults');
  writeFileSync(paths.config, text);
  writeFileSync(paths.serverStateFile, EMPTY_SERVER_STATE);
  const output = execFileSync('haproxy', ['-c', '-f', paths.config], { encoding: 'utf8', stdio: 'pipe' });
  t.notMatch(output, /WARNING/, 'haproxy -c accepts it without warnings, with the empty state file');
});

t.test('what the state file carries from the old worker to the new one', async (t) => {
  const render = (members: Member__Output[], timeout = 0) =>
    renderHaproxyConfig(
      amphora(
        [listener({ ...http, timeout_client_data: timeout })],
        [pool(members, { ...http, health_monitor: monitor('HTTP', { url_path: '/health' }) })],
      ),
      ['l1'],
      { runDir: '/run/velox/haproxy' },
    );
  const base = [
    member('down', '10.209.12.1', 80),
    member('moved', '10.209.12.2', 80),
    member('weighted', '10.209.12.3', 80, { weight: 5 }),
    member('off', '10.209.12.4', 80),
  ];
  const live = render(base);
  const dump = [
    '1',
    HEADER,
    row('down', '10.209.12.1', 80, 0, 0, 1, 1), // DOWN by its checks
    row('moved', '10.209.12.2', 80, 0, 0, 1, 1),
    row('weighted', '10.209.12.3', 80, 2, 1, 9, 5), // set to maintenance and weight 9 at runtime
    row('off', '10.209.12.4', 80, 2, 0, 1, 1),
    row('gone', '10.209.12.5', 80, 0, 0, 1, 1), // not in either config
    '',
  ].join('\n');
  const next = render(
    [
      base[0]!,
      member('moved', '10.209.12.2', 81), // a new port: HAProxy would apply the dumped one
      member('weighted', '10.209.12.3', 80, { weight: 2 }),
      member('off', '10.209.12.4', 80, { admin_state_up: false }),
    ],
    7000,
  );
  const state = serverStateForReload(dump, live, next).split('\n');
  t.same(state.slice(0, 2), ['1', HEADER], 'version and header kept');
  t.same(
    state.slice(2),
    [row('down', '10.209.12.1', 80, 0, 0, 1, 1), row('weighted', '10.209.12.3', 80, 2, 0, 2, 2), ''],
    "the DOWN member kept; the weight and admin state are the new config's; moved, disabled and gone members left out",
  );

  const unchecked = renderHaproxyConfig(amphora([listener(http)], [pool(base, http)]), ['l1'], {
    runDir: '/run/velox/haproxy',
  });
  t.same(
    serverStateForReload(dump, live, unchecked).split('\n').slice(2),
    [''],
    'members without a health check in the new config start afresh (nothing would bring them UP)',
  );
  t.equal(serverStateForReload('2\n# something else\n', live, next), EMPTY_SERVER_STATE, 'unknown version');
  t.equal(serverStateForReload('Unknown command\n', live, next), EMPTY_SERVER_STATE, 'not a dump');
});

t.test('a member DOWN by its health check stays DOWN across a reload, then comes back UP', async (t) => {
  const log = captureLog();
  const { manager, runDir } = managerFor(t, log);
  const port = await freePort(VIP);
  const well = await startHttpMember(t, 'well', '127.209.12.41');
  const sick = await startHttpMember(t, 'sick', '127.209.12.42');
  const fresh = await startHttpMember(t, 'fresh', '127.209.12.43');
  sick.healthStatus = 500;
  fresh.healthStatus = 500;
  // One check every DELAY s, rise 1, fall 1. HAProxy spreads the first checks over the
  // interval by server position: well at 0, sick at DELAY/3, fresh at 2*DELAY/3.
  const DELAY = 15; // long, so that the reload and the reads below fit well inside DELAY/3
  const config = (timeout: number, freshMonitorPort: number) =>
    amphora(
      [listener({ ...http, vip_address: VIP, protocol_port: port, timeout_client_data: timeout })],
      [
        pool(
          [
            member('well', well.address, well.port),
            member('sick', sick.address, sick.port),
            member('fresh', fresh.address, fresh.port, { monitor_port: freshMonitorPort }),
          ],
          {
            ...http,
            health_monitor: monitor('HTTP', { url_path: '/health', delay: DELAY, max_retries_down: 1 }),
          },
        ),
      ],
    );
  await manager.apply(config(0, fresh.port), ['l1']);
  await eventually(
    'the checks to find sick and fresh DOWN',
    async () => {
      const s = await servers(runDir);
      return s.sick?.status === 'DOWN' && s.fresh?.status === 'DOWN' ? true : undefined;
    },
    DELAY * 1000 + 5000,
  );

  // Reload for a change unrelated to sick. fresh's server line changes (its check port is
  // no longer written out, the same port is checked): its state is not carried.
  const reloadAt = Date.now();
  await manager.apply(config(7000, 0), ['l1']);
  const after = await servers(runDir);
  const elapsed = Date.now() - reloadAt;
  t.ok(elapsed < (DELAY * 1000) / 3, `read ${elapsed} ms after the reload, before sick's first check`);
  t.equal(after.sick?.status, 'DOWN', 'sick is still DOWN in the new worker');
  t.equal(after.well?.status, 'UP', 'well is UP');
  t.equal(after.fresh?.status, 'UP', 'fresh, not carried, starts UP as HAProxy starts every member');
  const lines = log.events.map((e) => `${e.event} ${JSON.stringify(e.fields)}`);
  t.ok(
    lines.some((l) => /sick is DOWN, changed from server-state after a reload/.test(l)),
    'HAProxy says it took the state from the file',
  );
  t.same(
    lines.filter((l) => /haproxy_config_warning|server state file|server-state application failed/.test(l)),
    [],
    'no warnings: haproxy -c and the reload found a state file they could read',
  );

  sick.healthStatus = 200;
  await eventually(
    'sick to come back UP',
    async () => ((await servers(runDir)).sick?.status === 'UP' ? true : undefined),
    DELAY * 1000 + 5000,
  );
  t.pass('sick came back UP once healthy');
  t.equal(
    readFileSync(haproxyPaths(runDir).serverStateFile, 'utf8'),
    EMPTY_SERVER_STATE,
    'state file emptied',
  );
});

t.test(
  'weights and admin states set at runtime, then changed with a reload: the new config wins',
  async (t) => {
    const log = captureLog();
    const { manager, runDir } = managerFor(t, log);
    const port = await freePort(VIP);
    const a = await startHttpMember(t, 'a', '127.209.12.51');
    const b = await startHttpMember(t, 'b', '127.209.12.52');
    const config = (timeout: number, ma: Partial<Member__Output>, mb: Partial<Member__Output>) =>
      amphora(
        [listener({ ...http, vip_address: VIP, protocol_port: port, timeout_client_data: timeout })],
        [
          pool([member('a', a.address, a.port, ma), member('b', b.address, b.port, mb)], {
            ...http,
            health_monitor: monitor('HTTP', { url_path: '/health' }),
          }),
        ],
      );
    const runtimeUpdates = () => log.events.filter((e) => e.event === 'haproxy_runtime_update').length;
    const reloads = () => log.events.filter((e) => e.event === 'haproxy_reloaded').length;
    const bothUp = async () => {
      const s = await servers(runDir);
      return s.a?.status === 'UP' && s.b?.status === 'UP' ? s : undefined;
    };

    await manager.apply(config(0, {}, {}), ['l1']);
    await eventually('both members UP', bothUp);

    await manager.apply(config(0, { weight: 5 }, {}), ['l1']);
    t.equal(runtimeUpdates(), 1, 'weight 5 at runtime');
    t.equal((await servers(runDir)).a?.weight, '5');
    await manager.apply(config(7000, {}, {}), ['l1']);
    t.equal(reloads(), 1, 'weight back to 1 with a change that reloads');
    t.equal((await servers(runDir)).a?.weight, '1', "the new config's weight, not the runtime one");

    await manager.apply(config(7000, {}, { admin_state_up: false }), ['l1']);
    t.equal(runtimeUpdates(), 2, 'b to maintenance at runtime');
    t.match((await servers(runDir)).b?.status, /^MAINT/);
    await manager.apply(config(8000, { weight: 3 }, { admin_state_up: false }), ['l1']);
    t.equal(reloads(), 2, 'an unrelated change reloads');
    t.match((await servers(runDir)).b?.status, /^MAINT/, 'b is still in maintenance');
    t.equal((await servers(runDir)).a?.weight, '3');

    await manager.apply(config(9000, { weight: 3 }, {}), ['l1']);
    t.equal(reloads(), 3, 'b enabled with a change that reloads');
    const s = await eventually('b out of maintenance', bothUp);
    t.same(s, { a: { status: 'UP', weight: '3' }, b: { status: 'UP', weight: '1' } }, 'b serves again');

    await manager.apply(config(9000, { weight: 3 }, { admin_state_up: false }), ['l1']);
    t.equal(runtimeUpdates(), 3, 'b to maintenance at runtime again');
    await manager.apply(config(10_000, { weight: 3 }, {}), ['l1']);
    t.equal(reloads(), 4, 'and enabled with a change that reloads');
    t.notMatch((await servers(runDir)).b?.status, /^MAINT/, 'b is out of maintenance at once');
  },
);
