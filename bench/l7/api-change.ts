// The time from an API change to the new behaviour being served (`--only api-change`): the
// controller in this process, a real amphora (namespace, agent, HAProxy) made by its local
// driver, a client and two HTTP members in namespaces of their own (vxlac, vxlam0-1, on
// the controller's bridges vxl*, in 10.218.0.0/16). One HTTP load balancer serves all
// rounds; each round makes every change once and undoes it, untimed. A watcher in the
// client's namespace requests the VIP in eight staggered loops (a new connection each)
// and notes when each answer first and last appeared since the bench last asked.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController } from '../../controller/main.js';
import { addHost, delHost, ready, startIn } from '../../scripts/lib/hosts.js';
import { localCloud } from '../../scripts/lib/local-cloud.js';
import { Octavia } from '../../scripts/lib/octavia.js';
import type { ApiChangeId, ChangeOutcome, RawApiChange } from './summary.js';
import { cleanupOnExit } from '../cleanup.js';

const API_PORT = 9872;
const HEALTH_PORT = 5552;
const WAIT_MS = 20_000;
/** After disabling a member: this long without an answer from it ends the wait. */
const QUIET_MS = 1000;

/** Answers `<name> xff=<0|1>`: whether the request carried X-Forwarded-For. */
const MEMBER = `
const http = require('node:http');
const [name, port] = process.argv.slice(1);
http.createServer((req, res) => {
  res.end(name + ' xff=' + (req.headers['x-forwarded-for'] ? 1 : 0));
}).listen(Number(port), () => console.log('ready'));
`;

/**
 * Requests http://HOST/ in eight loops; an answer's key is its body for a 200, its status
 * otherwise. stdin "reset" forgets what was seen; "dump" prints {first, last} times per key.
 */
const WATCHER = `
const http = require('node:http');
const [host] = process.argv.slice(1);
let first = {}, last = {};
function note(key) { const t = Date.now(); if (!(key in first)) first[key] = t; last[key] = t; }
function one() {
  const req = http.get({ host, port: 80, path: '/', agent: false, timeout: 200 }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => { note(res.statusCode === 200 ? body : String(res.statusCode)); setImmediate(one); });
  });
  req.on('timeout', () => req.destroy());
  req.on('error', () => setTimeout(one, 5));
}
let buf = '';
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const cmd = buf.slice(0, i); buf = buf.slice(i + 1);
    if (cmd === 'reset') { first = {}; last = {}; console.log('{"reset":true}'); }
    if (cmd === 'dump') console.log(JSON.stringify({ first, last }));
  }
});
console.log('ready');
for (let i = 0; i < 8; i++) setTimeout(one, i * 3);
`;

interface Seen {
  first: Record<string, number>;
  last: Record<string, number>;
}

class Watcher {
  private waiting: ((line: string) => void)[] = [];
  constructor(private readonly child: ChildProcess) {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('{')) this.waiting.shift()?.(line);
      }
    });
  }

  private ask(cmd: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the watcher does not answer')), 5000);
      this.waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      this.child.stdin!.write(`${cmd}\n`);
    });
  }

  async reset(): Promise<void> {
    await this.ask('reset');
  }

  async seen(): Promise<Seen> {
    return JSON.parse(await this.ask('dump')) as Seen;
  }

  /** The first time an answer matching `match` was seen since the reset; bounded. */
  async firstOf(match: (key: string) => boolean, what: string): Promise<number> {
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
      const s = await this.seen();
      const times = Object.entries(s.first)
        .filter(([k]) => match(k))
        .map(([, t]) => t);
      if (times.length > 0) return Math.min(...times);
      await new Promise((r) => setTimeout(r, 20));
    }
    const s = await this.seen();
    throw new Error(
      `no ${what} within ${WAIT_MS / 1000} s (answers seen: ${Object.keys(s.first).join(', ')})`,
    );
  }

  /** The last time an answer matching `match` was seen, once none came for QUIET_MS; bounded. */
  async lastOf(match: (key: string) => boolean, since: number): Promise<number> {
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
      const s = await this.seen();
      const times = Object.entries(s.last)
        .filter(([k]) => match(k))
        .map(([, t]) => t);
      const last = times.length > 0 ? Math.max(...times) : since;
      if (Date.now() - last >= QUIET_MS) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`answers kept coming for ${WAIT_MS / 1000} s`);
  }
}

const describe = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim().slice(0, 300);

export const API_CHANGE_METHOD = [
  'The controller (this process, local network driver, SQLite) makes a real amphora: a namespace on its ' +
    'bridges with the agent (dist/src/main.js) and HAProxy. One load balancer with an HTTP listener on port ' +
    '80 and a pool of one member serves every round; members are node HTTP servers in namespaces of their own.',
  'A watcher in the client’s namespace requests the VIP in eight staggered loops, a new connection each ' +
    '(about 1–3 ms between answers), and notes when each kind of answer first and last came. Served: from ' +
    'sending the API call to the first answer showing the change (for a disabled member: its last answer, ' +
    'once none came for 1 s). ACTIVE: from the call to the load balancer being ACTIVE again, polled every 100 ms.',
  'Each round makes every change once and undoes it untimed (the policy is deleted as a timed change; the ' +
    'second member is deleted, the header setting put back).',
];

export async function apiChangeBench(rounds: number, quick: boolean): Promise<RawApiChange> {
  const date = new Date().toISOString();
  const state = mkdtempSync(join(tmpdir(), 'vxl-api-change-'));
  const { config, net, bridges } = localCloud('vxl', 0, API_PORT, HEALTH_PORT, state, {
    v4: '10.218',
    v6: 'fd00:218:0',
  });
  const controller = await startController(config, { info: () => undefined, error: (m) => console.error(m) });
  const api = new Octavia(controller.url, 'bench');
  const hosts = ['vxlac', 'vxlam0', 'vxlam1'];
  const procs: ChildProcess[] = [];
  const samples: RawApiChange['samples'] = {};
  const record = (id: ApiChangeId, o: ChangeOutcome): void => {
    (samples[id] ??= []).push(o);
  };
  const cleanup = cleanupOnExit(async () => {
    for (const p of procs) p.kill('SIGKILL');
    for (const h of hosts) delHost(h);
    await controller.close();
    rmSync(state, { recursive: true, force: true });
  });
  try {
    addHost('vxlac', bridges.public, `${net(1)}.200/24`, `${net(1)}.1`);
    const memberAddress = [`${net(2)}.101`, `${net(2)}.102`];
    for (let i = 0; i < 2; i++) {
      addHost(`vxlam${i}`, bridges.private, `${memberAddress[i]}/24`, `${net(2)}.1`);
      const s = startIn(`vxlam${i}`, MEMBER, [`m${i}`, '8080']);
      procs.push(s);
      await ready(s);
    }
    const vipSubnet = await api.subnetId('public-subnet');
    const lb = (
      await api.ok('POST', '/v2/lbaas/loadbalancers', { loadbalancer: { vip_subnet_id: vipSubnet } })
    ).loadbalancer;
    await api.waitLb(lb.id, { timeoutMs: 120_000 });
    const listener = (
      await api.ok('POST', '/v2/lbaas/listeners', {
        listener: { loadbalancer_id: lb.id, protocol: 'HTTP', protocol_port: 80 },
      })
    ).listener;
    await api.waitLb(lb.id);
    const pool = (
      await api.ok('POST', '/v2/lbaas/pools', {
        pool: { listener_id: listener.id, protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN' },
      })
    ).pool;
    await api.waitLb(lb.id);
    await api.ok('POST', `/v2/lbaas/pools/${pool.id}/members`, {
      member: { address: memberAddress[0], protocol_port: 8080 },
    });
    await api.waitLb(lb.id);

    const child = spawn(
      'nsenter',
      ['--net=/run/netns/vxlac', process.execPath, '-e', WATCHER, lb.vip_address as string],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    procs.push(child);
    await ready(child);
    const watcher = new Watcher(child);
    const isMember = (name: string) => (key: string) => key.startsWith(`${name} `);
    await watcher.reset();
    await watcher.firstOf(isMember('m0'), 'answer from the first member');

    /** One timed change: the call, then served and ACTIVE waited for together. */
    const timed = async (
      id: ApiChangeId,
      call: () => Promise<unknown>,
      served: (t0: number) => Promise<number>,
    ): Promise<void> => {
      try {
        await watcher.reset();
        const t0 = Date.now();
        await call();
        const [at, activeAt] = await Promise.all([served(t0), api.waitLb(lb.id).then(() => Date.now())]);
        record(id, { servedMs: Math.max(0, at - t0), activeMs: activeAt - t0 });
      } catch (err) {
        record(id, { error: describe(err) });
        await api.waitLb(lb.id).catch(() => {});
      }
    };

    for (let r = 0; r < rounds; r++) {
      console.error(`api-change bench: round ${r + 1}/${rounds}`);
      let policyId = '';
      await timed(
        'l7Reject',
        async () => {
          const body = {
            l7policy: {
              listener_id: listener.id,
              action: 'REJECT',
              position: 1,
              rules: [{ type: 'PATH', compare_type: 'STARTS_WITH', value: '/' }],
            },
          };
          policyId = (await api.ok('POST', '/v2/lbaas/l7policies', body)).l7policy.id as string;
        },
        () => watcher.firstOf((k) => k === '403', '403'),
      );
      if (policyId) {
        await timed(
          'l7Delete',
          () => api.ok('DELETE', `/v2/lbaas/l7policies/${policyId}`),
          () => watcher.firstOf(isMember('m0'), '200 from the member'),
        );
      }
      let memberId = '';
      await timed(
        'memberAdd',
        async () => {
          const body = { member: { address: memberAddress[1], protocol_port: 8080 } };
          memberId = (await api.ok('POST', `/v2/lbaas/pools/${pool.id}/members`, body)).member.id as string;
        },
        () => watcher.firstOf(isMember('m1'), 'answer from the new member'),
      );
      if (memberId) {
        const member = `/v2/lbaas/pools/${pool.id}/members/${memberId}`;
        await timed(
          'memberDisable',
          () => api.ok('PUT', member, { member: { admin_state_up: false } }),
          (t0) => watcher.lastOf(isMember('m1'), t0),
        );
        await timed(
          'memberEnable',
          () => api.ok('PUT', member, { member: { admin_state_up: true } }),
          () => watcher.firstOf(isMember('m1'), 'answer from the enabled member'),
        );
        await api.ok('DELETE', member);
        await api.waitLb(lb.id);
      }
      const listenerPath = `/v2/lbaas/listeners/${listener.id}`;
      await timed(
        'listenerReload',
        () => api.ok('PUT', listenerPath, { listener: { insert_headers: { 'X-Forwarded-For': 'true' } } }),
        () => watcher.firstOf((k) => k.endsWith(' xff=1'), 'X-Forwarded-For at a member'),
      );
      await api.ok('PUT', listenerPath, { listener: { insert_headers: {} } });
      await api.waitLb(lb.id);
      await watcher.reset();
      await watcher.firstOf((k) => k.endsWith(' xff=0'), 'answers without X-Forwarded-For');
    }
    await api.ok('DELETE', `/v2/lbaas/loadbalancers/${lb.id}?cascade=true`);
    await api.waitLb(lb.id, { gone: true });
  } finally {
    await cleanup();
  }
  return { date, quick, rounds, method: API_CHANGE_METHOD, samples };
}
