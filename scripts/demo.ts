// `make demo`: a scripted tour. Starts a controller (its own bridges and port, so it can
// run beside `make run`), three HTTP members and a client, builds a load balancer through
// the REST API, sends 300 requests to the VIP, shows who served them, removes a member,
// shows traffic moving, and cleans up whatever happens.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addHost, delHost, HTTP_CLIENT, HTTP_MEMBER, nodeIn, ready, startIn } from './lib/hosts.js';
import { Octavia } from './lib/octavia.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const port = 9877;
const state = mkdtempSync(join(tmpdir(), 'velox-demo-'));
const net = (n: number) => `172.27.${n}`;
const config = {
  api: { host: '127.0.0.1', port },
  database: { path: join(state, 'velox.db') },
  stateDir: state,
  health: { port: 5557 },
  agent: { port: 9443, command: [process.execPath, join(root, 'dist/src/main.js')] },
  network: {
    prefix: 'vxd',
    management: {
      name: 'lb-mgmt-net',
      subnetName: 'lb-mgmt-subnet',
      cidr: `${net(0)}.0/24`,
      gatewayIp: `${net(0)}.1`,
      bridge: 'vxdmgmt',
    },
    tenant: [
      {
        name: 'public',
        subnetName: 'public-subnet',
        cidr: `${net(1)}.0/24`,
        gatewayIp: `${net(1)}.1`,
        bridge: 'vxdpublic',
      },
      {
        name: 'private',
        subnetName: 'private-subnet',
        cidr: `${net(2)}.0/24`,
        gatewayIp: `${net(2)}.1`,
        bridge: 'vxdprivate',
      },
    ],
  },
};
const members = ['vxdm1', 'vxdm2', 'vxdm3'];
const say = (s: string) => console.log(`\n== ${s}`);

async function main(): Promise<void> {
  writeFileSync(join(state, 'config.json'), JSON.stringify(config));
  say(`starting the controller on 127.0.0.1:${port} (state in ${state})`);
  const controller = spawn(process.execPath, [join(root, 'dist/controller/main.js')], {
    env: { ...process.env, VELOX_CONFIG: join(state, 'config.json') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const servers: ReturnType<typeof startIn>[] = [];
  const api = new Octavia(`http://127.0.0.1:${port}`);
  try {
    await waitUp(api);
    say('three HTTP members on private-subnet, one client on public-subnet');
    for (const [i, name] of members.entries()) {
      addHost(name, 'vxdprivate', `${net(2)}.${101 + i}/24`, `${net(2)}.1`);
      const s = startIn(name, HTTP_MEMBER, [name, '8080']);
      servers.push(s);
      await ready(s);
    }
    addHost('vxdc', 'vxdpublic', `${net(1)}.200/24`, `${net(1)}.1`);

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
    await showMetrics(api, lb.id);

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
    controller.kill('SIGINT');
    await new Promise((res) => controller.once('exit', res));
    rmSync(state, { recursive: true, force: true });
    say('cleaned up');
  }
}

async function waitUp(api: Octavia): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await api.call('GET', '/v2/lbaas/loadbalancers');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error('controller did not start');
}

async function memberStats(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [i, name] of members.entries()) {
    const r = await fetch(`http://${net(2)}.${101 + i}:8080/stats`);
    out[name] = ((await r.json()) as { served: number }).served;
  }
  return out;
}

async function showMetrics(api: Octavia, lbId: string): Promise<void> {
  const amps = (await api.ok('GET', `/v2/octavia/amphorae?loadbalancer_id=${lbId}`)).amphorae;
  const text = await (await fetch(`http://${amps[0].lb_network_ip}:9100/metrics`)).text();
  console.log('from the amphora /metrics:');
  for (const line of text.split('\n')) {
    if (line.startsWith('velox_member_connections_total')) console.log('  ' + line);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
