// IPv6 on the real local cloud: the bridges hold their IPv6 gateways, an amphora namespace
// gets static IPv6 addresses usable at once (no DAD, no RA, forwarding on) and an IPv6
// default route, and a host made by scripts/host.sh reaches it over IPv6.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import t from 'tap';
import { controllerConfig } from '../../../controller/config.js';
import { NetnsCompute } from '../../../controller/drivers/compute/netns.js';
import { NetworkFabric } from '../../../controller/drivers/network/fabric.js';
import { requireRoot } from './test-config.js';

requireRoot();
const stateDir = mkdtempSync(join(tmpdir(), 'velox-vx6n-'));
const cfg = controllerConfig(
  {
    stateDir,
    network: {
      prefix: 'vx6n',
      management: {
        name: 'vx6n-mgmt',
        subnetName: 'vx6n-mgmt-subnet',
        cidr: '10.212.20.0/24',
        gatewayIp: '10.212.20.1',
        bridge: 'vx6nmgmt',
      },
      tenant: [
        {
          name: 'vx6n-public',
          subnetName: 'vx6n-public-subnet',
          cidr: '10.212.21.0/24',
          gatewayIp: '10.212.21.1',
          bridge: 'vx6npub',
          ipv6: { subnetName: 'vx6n-public-v6', cidr: 'fd00:212:21::/64', gatewayIp: 'fd00:212:21::1' },
        },
        {
          name: 'vx6n-private',
          subnetName: 'vx6n-private-subnet',
          cidr: '10.212.22.0/24',
          gatewayIp: '10.212.22.1',
          bridge: 'vx6npriv',
          ipv6: { subnetName: 'vx6n-private-v6', cidr: 'fd00:212:22::/64', gatewayIp: 'fd00:212:22::1' },
        },
      ],
    },
  },
  '',
);
const fabric = new NetworkFabric(cfg.network);
const compute = new NetnsCompute({
  prefix: 'vx6n',
  stateDir,
  // Stands in for the agent: this test is about the namespace, not what runs in it.
  agentCommand: [process.execPath, '-e', 'setInterval(() => {}, 1000)', '--'],
  stopGraceMs: 300,
});
const hostSh = join(import.meta.dirname, '..', '..', '..', 'scripts', 'host.sh');
const HOST = 'vx6nh1';
const CLIENT = 'vx6nc';

t.teardown(async () => {
  for (const h of [HOST, CLIENT]) execFileSync(hostSh, ['del', h]);
  await compute.cleanupAll().catch((e) => console.error(e));
  await fabric.teardown().catch((e) => console.error(e));
  rmSync(stateDir, { recursive: true, force: true });
});

const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });
const inNs = (ns: string, ...argv: string[]) => sh('nsenter', `--net=/run/netns/${ns}`, '--', ...argv);

interface IpAddr {
  ifname: string;
  addr_info: { family: string; local: string; prefixlen: number; tentative?: boolean }[];
}

/** Global IPv6 addresses per interface (not lo), sorted. */
function globalV6(json: string): Record<string, { local: string; prefixlen: number; tentative: boolean }[]> {
  const out: Record<string, { local: string; prefixlen: number; tentative: boolean }[]> = {};
  for (const l of JSON.parse(json) as IpAddr[]) {
    if (l.ifname === 'lo') continue;
    const v6 = l.addr_info.filter((a) => a.family === 'inet6' && !a.local.startsWith('fe80'));
    if (v6.length) {
      out[l.ifname] = v6
        .map((a) => ({ local: a.local, prefixlen: a.prefixlen, tentative: !!a.tentative }))
        .sort((x, y) => x.local.localeCompare(y.local));
    }
  }
  return out;
}

t.test('the bridges hold their IPv6 gateways at once; the management bridge stays IPv4', async (t) => {
  await fabric.ensure();
  await fabric.ensure(); // idempotent
  t.same(globalV6(sh('ip', '-j', 'addr', 'show', 'dev', 'vx6npub')), {
    vx6npub: [{ local: 'fd00:212:21::1', prefixlen: 64, tentative: false }],
  });
  t.same(globalV6(sh('ip', '-j', 'addr', 'show', 'dev', 'vx6npriv')), {
    vx6npriv: [{ local: 'fd00:212:22::1', prefixlen: 64, tentative: false }],
  });
  t.same(globalV6(sh('ip', '-j', 'addr', 'show', 'dev', 'vx6nmgmt')), {});
  t.equal(sh('sysctl', '-n', 'net.ipv6.conf.vx6npub.accept_ra').trim(), '0');
});

t.test('an amphora with IPv6 NICs: static, usable at once, routed, reachable from a host', async (t) => {
  await fabric.ensure();
  // A client that still caches another MAC for the VIP (as after a failover).
  sh(
    hostSh,
    'add',
    CLIENT,
    'vx6npub',
    '10.212.21.200/24',
    '10.212.21.1',
    'fd00:212:21::200/64',
    'fd00:212:21::1',
  );
  const OLD_MAC = '02:00:00:00:00:01';
  sh(
    'ip',
    '-n',
    CLIENT,
    'neigh',
    'replace',
    'fd00:212:21::10',
    'lladdr',
    OLD_MAC,
    'dev',
    'eth0',
    'nud',
    'stale',
  );
  const id = randomUUID();
  const ns = compute.nsName(id);
  await compute.createAmphora({
    amphoraId: id,
    nics: [
      { name: 'mgmt0', bridge: 'vx6nmgmt', addresses: ['10.212.20.10/24'] },
      { name: 'vip0', bridge: 'vx6npub', addresses: ['fd00:212:21::11/64', 'fd00:212:21::10/128'] },
      { name: 'mem0', bridge: 'vx6npriv', addresses: ['10.212.22.10/24', 'fd00:212:22::10/64'] },
    ],
    defaultGateway: 'fd00:212:21::1',
    bootstrap: {
      amphora_id: id,
      grpc_listen: '10.212.20.10:9443',
      metrics_listen: '10.212.20.10:9100',
      heartbeat: { target: '10.212.20.1:5555', interval_ms: 1000 },
      bpf_object: '',
    },
    tls: { caPem: 'ca', certPem: 'cert', keyPem: 'key' },
  });
  t.same(globalV6(inNs(ns, 'ip', '-j', 'addr', 'show')), {
    vip0: [
      { local: 'fd00:212:21::10', prefixlen: 128, tentative: false },
      { local: 'fd00:212:21::11', prefixlen: 64, tentative: false },
    ],
    mem0: [{ local: 'fd00:212:22::10', prefixlen: 64, tentative: false }],
  });
  t.equal(inNs(ns, 'sysctl', '-n', 'net.ipv6.conf.all.forwarding').trim(), '1');
  for (const nic of ['vip0', 'mem0']) {
    t.equal(inNs(ns, 'sysctl', '-n', `net.ipv6.conf.${nic}.accept_ra`).trim(), '0', `${nic} takes no RA`);
    t.equal(inNs(ns, 'sysctl', '-n', `net.ipv6.conf.${nic}.accept_dad`).trim(), '0', `${nic}: no DAD`);
  }
  t.match(inNs(ns, 'ip', '-6', 'route', 'show', 'default'), /default via fd00:212:21::1 dev vip0/);
  // vip0 announced its addresses when it came up (unsolicited neighbour advertisements).
  const vipMac = (JSON.parse(inNs(ns, 'ip', '-j', 'link', 'show', 'vip0')) as { address: string }[])[0]!
    .address;
  let cached = OLD_MAC;
  for (let i = 0; i < 30 && cached !== vipMac; i++) {
    const entries = JSON.parse(sh('ip', '-n', CLIENT, '-j', 'neigh', 'show', 'fd00:212:21::10')) as {
      lladdr?: string;
    }[];
    cached = entries[0]?.lladdr ?? '';
    if (cached !== vipMac) await sleep(100);
  }
  t.equal(cached, vipMac, "the client's neighbour entry for the VIP moved to the new amphora");
  t.match(inNs(ns, 'ip', '-4', 'route', 'show', 'default'), /^$/, 'no IPv4 default for an IPv6 VIP');

  // A member-side host from scripts/host.sh, dual-stack, talks to mem0 over IPv6 at once.
  sh(
    hostSh,
    'add',
    HOST,
    'vx6npriv',
    '10.212.22.101/24',
    '10.212.22.1',
    'fd00:212:22::101/64',
    'fd00:212:22::1',
  );
  t.same(globalV6(inNs(HOST, 'ip', '-j', 'addr', 'show', 'dev', 'eth0')), {
    eth0: [{ local: 'fd00:212:22::101', prefixlen: 64, tentative: false }],
  });
  t.match(inNs(HOST, 'ip', '-6', 'route', 'show', 'default'), /default via fd00:212:22::1 dev eth0/);
  t.match(inNs(HOST, 'ping', '-6', '-c', '1', '-W', '3', 'fd00:212:22::10'), /1 received/);
  t.match(inNs(HOST, 'ping', '-6', '-c', '1', '-W', '3', 'fd00:212:22::1'), /1 received/, 'the gateway');
  t.match(inNs(ns, 'ping', '-6', '-c', '1', '-W', '3', 'fd00:212:21::1'), /1 received/, 'via vip0');

  await compute.deleteAmphora(id);
  t.notOk(sh('ip', 'netns', 'list').includes(ns), 'the namespace is gone');
});
