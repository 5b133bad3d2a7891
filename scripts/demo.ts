// `make demo`: a scripted tour. Starts a controller (its own bridges and port, so it can
// run beside `make run`), three HTTP members and a client, builds a load balancer through
// the REST API, sends 300 requests to the VIP, shows who served them, removes a member,
// shows traffic moving, and cleans up whatever happens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController } from '../controller/main.js';
import { addHost, delHost, HTTP_CLIENT, HTTP_MEMBER, nodeIn, ready, startIn } from './lib/hosts.js';
import { localCloud } from './lib/local-cloud.js';
import { Octavia } from './lib/octavia.js';

const port = 9877;
const state = mkdtempSync(join(tmpdir(), 'velox-demo-'));
const { config, net, bridges } = localCloud('vxd', 27, port, 5557, state);
const members = ['vxdm1', 'vxdm2', 'vxdm3'];
const say = (s: string) => console.log(`\n== ${s}`);

async function main(): Promise<void> {
  say(`starting the controller on 127.0.0.1:${port} (state in ${state})`);
  const controller = await startController(config, {
    info: () => undefined,
    error: (msg) => console.error(`controller: ${msg}`),
  });
  const servers: ReturnType<typeof startIn>[] = [];
  const api = new Octavia(`http://127.0.0.1:${port}`);
  try {
    say('three HTTP members on private-subnet, one client on public-subnet');
    for (const [i, name] of members.entries()) {
      addHost(name, bridges.private, `${net(2)}.${101 + i}/24`, `${net(2)}.1`);
      const s = startIn(name, HTTP_MEMBER, [name, '8080']);
      servers.push(s);
      await ready(s);
    }
    addHost('vxdc', bridges.public, `${net(1)}.200/24`, `${net(1)}.1`);

    say('POST /v2/lbaas/loadbalancers');
    const t0 = Date.now();
    const lb = (
      await api.ok('POST', '/v2/lbaas/loadbalancers', {
        loadbalancer: { name: 'demo', vip_subnet_id: await api.subnetId('public-subnet') },
      })
    ).loadbalancer;
    await api.waitLb(lb.id);
    console.log(`load balancer ${lb.id} ACTIVE in ${Date.now() - t0} ms, VIP ${lb.vip_address}`);
    const listener = (
      await api.ok('POST', '/v2/lbaas/listeners', {
        listener: { loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 80, name: 'http' },
      })
    ).listener;
    await api.waitLb(lb.id);
    const pool = (
      await api.ok('POST', '/v2/lbaas/pools', {
        pool: { listener_id: listener.id, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN', name: 'web' },
      })
    ).pool;
    await api.waitLb(lb.id);
    const ids: string[] = [];
    const privateSubnet = await api.subnetId('private-subnet');
    for (const [i, name] of members.entries()) {
      const m = (
        await api.ok('POST', `/v2/lbaas/pools/${pool.id}/members`, {
          member: { name, address: `${net(2)}.${101 + i}`, protocol_port: 8080, subnet_id: privateSubnet },
        })
      ).member;
      ids.push(m.id);
      await api.waitLb(lb.id);
    }

    say(`300 requests from the client to http://${lb.vip_address}/`);
    const first = JSON.parse(await nodeIn('vxdc', HTTP_CLIENT, [lb.vip_address, '80', '300']));
    console.log('as the client saw them:', first);
    console.log('as the members count them:', await memberStats());
    await showMetrics(api, lb.id, new Map(ids.map((id, i) => [id, members[i]!])));

    say(`removing member ${members[0]}`);
    await api.ok('DELETE', `/v2/lbaas/pools/${pool.id}/members/${ids[0]}`);
    await api.waitLb(lb.id);
    const second = JSON.parse(await nodeIn('vxdc', HTTP_CLIENT, [lb.vip_address, '80', '300']));
    console.log('300 more requests, as the client saw them:', second);
    console.log('as the members count them (cumulative):', await memberStats());

    say('deleting the load balancer (cascade)');
    await api.ok('DELETE', `/v2/lbaas/loadbalancers/${lb.id}?cascade=true`);
    await api.waitLb(lb.id, { gone: true });
  } finally {
    for (const s of servers) s.kill('SIGKILL');
    for (const name of [...members, 'vxdc']) delHost(name);
    await controller.close();
    rmSync(state, { recursive: true, force: true });
    say('cleaned up');
  }
}

async function memberStats(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [i, name] of members.entries()) {
    const r = await fetch(`http://${net(2)}.${101 + i}:8080/stats`);
    out[name] = ((await r.json()) as { served: number }).served;
  }
  return out;
}

async function showMetrics(api: Octavia, lbId: string, names: Map<string, string>): Promise<void> {
  // The amphora API is admin-only: noauth without a project header is the admin.
  const admin = new Octavia(api.base, '');
  const amps = (await admin.ok('GET', `/v2/octavia/amphorae?loadbalancer_id=${lbId}`)).amphorae;
  const text = await (await fetch(`http://${amps[0].lb_network_ip}:9100/metrics`)).text();
  const served: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^velox_member_connections_total\{.*member="([^"]+)"\} (\d+)/.exec(line);
    if (m) served[names.get(m[1]!) ?? m[1]!] = Number(m[2]);
  }
  console.log(`as the amphora's /metrics counts connections (${amps[0].lb_network_ip}:9100):`, served);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
