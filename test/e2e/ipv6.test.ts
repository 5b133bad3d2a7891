// End to end over IPv6: the whole controller in process on its own dual-stack local cloud
// (prefix vx6e, 10.212.0-2.0/24 and fd00:212:1-2::/64), a load balancer with its VIP on
// the public IPv6 subnet, a TCP listener and two IPv6 members in member namespaces; real
// TCP connections from an IPv6 client must reach both members through the amphora's XDP
// path. Hosts are made with scripts/host.sh, the users' tool. Fails (never skips) while
// the data plane cannot forward IPv6.
import t from 'tap';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startController } from '../../controller/main.js';
import { HTTP_CLIENT, HTTP_MEMBER, nodeIn, ready, startIn } from '../../scripts/lib/hosts.js';
import { localCloud } from '../../scripts/lib/local-cloud.js';
import { Octavia } from '../../scripts/lib/octavia.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const agentJs = join(root, 'dist/src/main.js');
const hostSh = join(root, 'scripts', 'host.sh');
const PORT = 19877;

if (process.getuid?.() !== 0) throw new Error('end-to-end tests need root (network namespaces, XDP)');
if (!existsSync(agentJs)) throw new Error(`the agent is not built (${agentJs}): run make build`);
if (!existsSync('/proc/sys/net/ipv6')) throw new Error('IPv6 is disabled on this host');

const state = mkdtempSync(join(tmpdir(), 'velox-e2e6-'));
const { config, net, net6, bridges } = localCloud('vx6e', 0, PORT, 5559, state, {
  v4: '10.212',
  v6: 'fd00:212',
});
config.health.heartbeatIntervalMs = 500;

const MEMBERS = ['vx6em1', 'vx6em2'];
const CLIENT = 'vx6ec';
const controller = await startController(config);
const servers: ReturnType<typeof startIn>[] = [];
t.teardown(async () => {
  for (const s of servers) s.kill('SIGKILL');
  for (const h of [...MEMBERS, CLIENT]) execFileSync(hostSh, ['del', h]);
  await controller.close();
  rmSync(state, { recursive: true, force: true });
});

/** scripts/host.sh add: a dual-stack host on `bridge`, host number `x` on network `n`. */
function addHost(name: string, bridge: string, n: number, x: number): void {
  execFileSync(hostSh, ['del', name]);
  execFileSync(hostSh, [
    'add',
    name,
    bridge,
    `${net(n)}.${x}/24`,
    `${net(n)}.1`,
    `${net6(n)}::${x}/64`,
    `${net6(n)}::1`,
  ]);
}

for (const [i, name] of MEMBERS.entries()) {
  addHost(name, bridges.private, 2, 101 + i);
  const s = startIn(name, HTTP_MEMBER, [name, '8080']); // listens on :: (both families)
  servers.push(s);
  await ready(s);
}
addHost(CLIENT, bridges.public, 1, 200);

const api = new Octavia(`http://127.0.0.1:${PORT}`);
const admin = new Octavia(`http://127.0.0.1:${PORT}`, '');

/** The XDP program's exit counters, from the amphora agent's /metrics on the management network. */
async function xdpExits(lbId: string): Promise<Record<string, number>> {
  const amps = (await admin.ok('GET', `/v2/octavia/amphorae?loadbalancer_id=${lbId}`)).amphorae;
  const res = await fetch(`http://${amps[0].lb_network_ip}:9100/metrics`);
  const exits: Record<string, number> = {};
  for (const m of (await res.text()).matchAll(/^velox_xdp_exit_packets_total\{reason="(\w+)"\} (\d+)/gm)) {
    exits[m[1]!] = Number(m[2]);
  }
  return exits;
}

/** The last lines of every amphora's agent log, to say why traffic failed. */
function agentLogs(): string {
  const dir = join(state, 'amphorae');
  if (!existsSync(dir)) return '(no amphora folder)';
  return readdirSync(dir)
    .map((id) => {
      const log = join(dir, id, 'agent.log');
      return existsSync(log) ? `${id}:\n${readFileSync(log, 'utf8').split('\n').slice(-25).join('\n')}` : id;
    })
    .join('\n');
}

t.test('an IPv6 VIP with IPv6 members: real TCP connections reach both members', async (t) => {
  const lb = (
    await api.ok('POST', '/v2/lbaas/loadbalancers', {
      loadbalancer: { name: 'e2e-v6', vip_subnet_id: await api.subnetId('public-subnet-v6') },
    })
  ).loadbalancer;
  t.match(lb.vip_address, new RegExp(`^${net6(1)}::[0-9a-f]+$`), 'the VIP is on the public IPv6 subnet');
  await api.waitLb(lb.id);
  const listener = (
    await api.ok('POST', '/v2/lbaas/listeners', {
      listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 80 },
    })
  ).listener;
  await api.waitLb(lb.id);
  const pool = (
    await api.ok('POST', '/v2/lbaas/pools', {
      pool: { listener_id: listener.id, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' },
    })
  ).pool;
  await api.waitLb(lb.id);
  const subnetV6 = await api.subnetId('private-subnet-v6');
  for (const i of [0, 1]) {
    const m = await api.ok('POST', `/v2/lbaas/pools/${pool.id}/members`, {
      member: { address: `${net6(2)}::${101 + i}`, protocol_port: 8080, subnet_id: subnetV6 },
    });
    t.equal(m.member.address, `${net6(2)}::${101 + i}`);
    await api.waitLb(lb.id);
  }

  const r = JSON.parse(await nodeIn(CLIENT, HTTP_CLIENT, [lb.vip_address, '80', '60'])) as {
    counts: Record<string, number>;
    failed: number;
    errors: Record<string, number>;
  };
  if (r.failed > 0) t.comment(`agent logs:\n${agentLogs()}`);
  t.equal(r.failed, 0, `every connection answered: ${JSON.stringify(r)}`);
  t.ok(
    (r.counts.vx6em1 ?? 0) > 0 && (r.counts.vx6em2 ?? 0) > 0,
    `both members served: ${JSON.stringify(r.counts)}`,
  );
  t.equal((r.counts.vx6em1 ?? 0) + (r.counts.vx6em2 ?? 0), 60 - r.failed, 'only members answered');
  // Served by the XDP fast path, not by a fallback proxy: every connection's SYN went one
  // way and its SYN-ACK the other, each redirected between vip0 and mem0 by the program.
  const exits = await xdpExits(lb.id);
  t.ok((exits.redirect ?? 0) >= 2 * 60, `the XDP program forwarded the flows: ${JSON.stringify(exits)}`);

  await api.ok('DELETE', `/v2/lbaas/loadbalancers/${lb.id}?cascade=true`);
  await api.waitLb(lb.id, { gone: true });
  const { stdout } = await run('ip', ['netns', 'list']);
  t.notMatch(stdout, /vx6ea-/, 'the amphora namespace is gone');
});
