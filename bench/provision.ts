// How long the control plane takes, as a user sees it: POST /loadbalancers until ACTIVE,
// and POST member until that member receives traffic through the VIP. Rounds are
// sequential on one controller; medians with min and max.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController } from '../controller/main.js';
import { addHost, delHost, HTTP_MEMBER, ready, startIn } from '../scripts/lib/hosts.js';
import { localCloud } from '../scripts/lib/local-cloud.js';
import { Octavia } from '../scripts/lib/octavia.js';
import { cleanupOnExit } from './cleanup.js';

/** Requests the VIP in a loop and prints `{"t": ms, "name": member}` when a member first answers. */
const WATCHER = `
const http = require('node:http');
const [host] = process.argv.slice(1);
const seen = new Set();
function one() {
  const req = http.get({ host, port: 80, path: '/', agent: false, timeout: 50 }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => {
      if (!seen.has(body)) { seen.add(body); console.log(JSON.stringify({ t: Date.now(), name: body })); }
      setImmediate(one);
    });
  });
  req.on('timeout', () => req.destroy());
  req.on('error', () => setTimeout(one, 5));
}
console.log('ready');
// Staggered loops: a SYN sent before the member is in the ring is dropped, and its
// loop only retries after the 50 ms timeout, so eight loops give ~6 ms resolution.
for (let i = 0; i < 8; i++) setTimeout(one, i * 6);
`;

export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function stat(xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]!, n: s.length };
}

export async function provisionBench(
  rounds = 5,
): Promise<{ lbActive: Stat; memberTraffic: Stat; memberActive: Stat }> {
  const state = mkdtempSync(join(tmpdir(), 'velox-bench-'));
  const { config, net, bridges } = localCloud('vxp', 25, 9878, 5559, state);
  const controller = await startController(config, { info: () => undefined, error: (m) => console.error(m) });
  const api = new Octavia(controller.url, 'bench');
  const hosts = ['vxpc'];
  const procs: ReturnType<typeof startIn>[] = [];
  const lbActive: number[] = [];
  const memberTraffic: number[] = [];
  const memberActive: number[] = [];
  const cleanup = cleanupOnExit(async () => {
    for (const p of procs) p.kill('SIGKILL');
    for (const h of hosts) delHost(h);
    await controller.close();
    rmSync(state, { recursive: true, force: true });
  });
  try {
    addHost('vxpc', bridges.public, `${net(1)}.200/24`, `${net(1)}.1`);
    for (let i = 0; i < rounds; i++) {
      const name = `vxpm${i}`;
      hosts.push(name);
      addHost(name, bridges.private, `${net(2)}.${101 + i}/24`, `${net(2)}.1`);
      const s = startIn(name, HTTP_MEMBER, [name, '8080']);
      procs.push(s);
      await ready(s);
    }
    const vipSubnet = await api.subnetId('public-subnet');
    for (let i = 0; i < rounds; i++) {
      const t0 = Date.now();
      const lb = (
        await api.ok('POST', '/v2/lbaas/loadbalancers', { loadbalancer: { vip_subnet_id: vipSubnet } })
      ).loadbalancer;
      await api.waitLb(lb.id);
      lbActive.push(Date.now() - t0);
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

      const watcher = startIn('vxpc', WATCHER, [lb.vip_address]);
      procs.push(watcher);
      await ready(watcher);
      const firstSeen = new Promise<number>((resolve) => {
        watcher.stdout!.on('data', (d: Buffer) => {
          for (const line of d.toString().split('\n')) {
            if (line.startsWith('{')) resolve((JSON.parse(line) as { t: number }).t);
          }
        });
      });
      const t1 = Date.now();
      await api.ok('POST', `/v2/lbaas/pools/${pool.id}/members`, {
        member: { address: `${net(2)}.${101 + i}`, protocol_port: 8080 },
      });
      await api.waitLb(lb.id);
      memberActive.push(Date.now() - t1);
      const seen = await Promise.race([
        firstSeen,
        new Promise<number>((r) => setTimeout(() => r(NaN), 20_000)),
      ]);
      memberTraffic.push(seen - t1);
      watcher.kill('SIGKILL');
      await api.ok('DELETE', `/v2/lbaas/loadbalancers/${lb.id}?cascade=true`);
      await api.waitLb(lb.id, { gone: true });
    }
  } finally {
    await cleanup();
  }
  return { lbActive: stat(lbActive), memberTraffic: stat(memberTraffic), memberActive: stat(memberActive) };
}
