// VrrpPair: a lab for the ACTIVE_STANDBY namespace tests (topology in pair-topology.ts). Two
// amphorae, each running the real agent (controller mode: gRPC over a unix socket, heartbeats
// to a receiver in this process) with real keepalived, a client on the VIP network and a
// member behind the member network; a TCP listener on XDP on the IPv4 and IPv6 VIPs.
// Everything is removed in teardown, even on failure (keepalived too, when its agent was
// killed). Flow-replication tests (a long transfer across a failover) build on upload().
import * as grpc from '@grpc/grpc-js';
import type { Test } from 'tap';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removePins } from '../../src/dataplane/dataplane.js';
import type { AmphoraAgentClient } from '../../src/grpc/gen/velox/agent/v1/AmphoraAgent.js';
import type { AmphoraConfig } from '../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { AmphoraStatus__Output } from '../../src/grpc/gen/velox/agent/v1/AmphoraStatus.js';
import type { ApplyResponse__Output } from '../../src/grpc/gen/velox/agent/v1/ApplyResponse.js';
import type { ReleaseMastershipResponse__Output } from '../../src/grpc/gen/velox/agent/v1/ReleaseMastershipResponse.js';
import type { HeartbeatRequest__Output } from '../../src/grpc/gen/velox/health/v1/HeartbeatRequest.js';
import { agentProto, healthProto } from '../../src/grpc/load.js';
import { Netns, requireNetnsPrivileges, sh, waitFor } from '../lib/netns.js';
import { JsonLines } from '../agent/l4-process.js';
import { requireBuilt, root } from '../agent/l4-topology.js';
import { requireKeepalived } from './keepalived.js';
import { buildPair, MEM_IF, PairPlan, VIP_IF, type AmphoraPlan } from './pair-topology.js';

export const PORT = 8080;
const fixtures = join(root, 'test', 'agent', 'fixtures');
type Name = 'a' | 'b';

interface Counts {
  answers: Record<string, number>;
  failures: number;
}

class AmphoraRun {
  proc: ChildProcess | null = null;
  rpc: AmphoraAgentClient | null = null;
  version = 0;
  log = '';
  constructor(
    readonly plan: AmphoraPlan,
    readonly dir: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }
  get sock(): string {
    return join(this.dir, 'agent.sock');
  }
  get stateDir(): string {
    return join(this.dir, 'state');
  }
  get pinRoot(): string {
    return `/sys/fs/bpf/${this.plan.amphoraId}`;
  }
  get running(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }
  /** keepalived's parent pid (its own process group), from the agent's pid file. */
  keepalivedPid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.stateDir, 'keepalived', 'keepalived.pid'), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }
}

export class VrrpPair extends PairPlan {
  readonly net = new Netns('vxvr');
  private readonly dir = mkdtempSync(join(tmpdir(), 'vxvr-'));
  private readonly runs: Record<Name, AmphoraRun>;
  private hbServer: grpc.Server | null = null;
  /** The last heartbeat of each amphora, by amphora id. */
  readonly heartbeats = new Map<string, HeartbeatRequest__Output>();

  private constructor(tag: string, subnet: number) {
    super(tag, subnet);
    this.runs = {
      a: new AmphoraRun(this.a, join(this.dir, 'a')),
      b: new AmphoraRun(this.b, join(this.dir, 'b')),
    };
  }

  /** Build the lab, start the member and the heartbeat receiver; `t.teardown` removes it all. */
  static async create(t: Test, tag: string, subnet: number): Promise<VrrpPair> {
    requireNetnsPrivileges();
    requireKeepalived();
    requireBuilt();
    const pair = new VrrpPair(tag, subnet);
    t.teardown(() => pair.destroy());
    t.teardown(() => {
      if (t.passing()) return;
      for (const n of ['a', 'b'] as const) {
        const run = pair.runs[n];
        t.comment(`agent ${n} log:\n${run.log}`);
        const kl = join(run.stateDir, 'keepalived', 'keepalived.log');
        if (existsSync(kl)) t.comment(`keepalived ${n} log:\n${readFileSync(kl, 'utf8').slice(-6000)}`);
      }
    });
    buildPair(pair.net, pair);
    const member = pair.net.spawn(pair.member.ns, process.execPath, [
      join(fixtures, 'l4-member.mjs'),
      'm1',
      String(PORT),
    ]);
    await new JsonLines(member, 'member m1').raw(/^ready$/);
    await pair.startHeartbeatReceiver();
    return pair;
  }

  amphora(n: Name): AmphoraPlan {
    return this.runs[n].plan;
  }

  private get hbSock(): string {
    return join(this.dir, 'heartbeat.sock');
  }

  private async startHeartbeatReceiver(): Promise<void> {
    const server = new grpc.Server();
    server.addService(healthProto().velox.health.v1.Health.service, {
      Heartbeat: (
        call: grpc.ServerUnaryCall<HeartbeatRequest__Output, unknown>,
        cb: grpc.sendUnaryData<{ desired_version: string }>,
      ) => {
        this.heartbeats.set(call.request.amphora_id, call.request);
        cb(null, { desired_version: call.request.applied_version });
      },
    });
    await new Promise<number>((res, rej) =>
      server.bindAsync(`unix:${this.hbSock}`, grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? rej(e) : res(p),
      ),
    );
    this.hbServer = server;
  }

  /** Start the agent of `n` (no config yet); resolves when it serves gRPC. */
  async startAgent(n: Name): Promise<void> {
    const run = this.runs[n];
    if (run.running) throw new Error(`agent ${n} is already running`);
    const bootstrap = join(run.dir, 'bootstrap.json');
    writeFileSync(
      bootstrap,
      JSON.stringify({
        amphora_id: run.plan.amphoraId,
        grpc_listen: `unix:${run.sock}`,
        metrics_listen: '127.0.0.1:9100',
        pin_root: run.pinRoot,
        state_dir: run.stateDir,
        heartbeat: { target: `unix:${this.hbSock}`, interval_ms: 200 },
      }),
    );
    if (existsSync(run.sock)) unlinkSync(run.sock); // left by a killed agent
    run.log = '';
    const child = this.net.spawn(run.plan.ns, process.execPath, [
      join(root, 'dist/src/main.js'),
      '--bootstrap',
      bootstrap,
    ]);
    child.stderr?.on('data', (d: Buffer) => (run.log += d.toString()));
    run.proc = child;
    await waitFor(
      `agent ${n} ready`,
      () => {
        if (run.log.includes('"event":"agent-ready"')) return true;
        if (!run.running) throw new Error(`agent ${n} exited:\n${run.log}`);
        return undefined;
      },
      300,
      100,
      30_000,
    );
    run.rpc?.close();
    const Client = agentProto().velox.agent.v1.AmphoraAgent;
    run.rpc = new Client(`unix:${run.sock}`, grpc.credentials.createInsecure());
  }

  /** The config of `n` for its next version: A is the designated MASTER (priority 100). */
  config(n: Name): AmphoraConfig {
    const run = this.runs[n];
    const peer = this.runs[n === 'a' ? 'b' : 'a'].plan;
    const p = run.plan;
    const pool = (id: string, address: string) => ({
      id,
      protocol: 'TCP',
      lb_algorithm: 'SOURCE_IP_PORT',
      admin_state_up: true,
      members: [{ id: `${id}-m1`, address, protocol_port: PORT, weight: 1, admin_state_up: true }],
    });
    const listener = (id: string, vip: string, poolId: string) => ({
      id,
      vip_address: vip,
      protocol: 'TCP',
      protocol_port: PORT,
      default_pool_id: poolId,
      admin_state_up: true,
      connection_limit: -1,
    });
    return {
      version: String(run.version),
      amphora_id: p.amphoraId,
      loadbalancer_id: `${this.prefix}-lb`,
      interfaces: [
        { name: VIP_IF, role: 'VIP', addresses: p.vipIface },
        { name: MEM_IF, role: 'MEMBER', addresses: p.memIface },
      ],
      listeners: [listener('listener-4', this.vip, 'pool-4'), listener('listener-6', this.vip6, 'pool-6')],
      pools: [pool('pool-4', this.member.address), pool('pool-6', this.member.address6)],
      vrrp: {
        initial_role: n === 'a' ? 'MASTER' : 'BACKUP',
        vrrp_id: 51,
        priority: n === 'a' ? 100 : 90,
        interface: VIP_IF,
        vrrp_ip: p.vrrpIp,
        peer_ips: [peer.vrrpIp],
        floating: [
          { interface: VIP_IF, address: this.vipCidr, snat: false },
          { interface: VIP_IF, address: this.vip6Cidr, snat: false },
          { interface: MEM_IF, address: this.snatCidr, snat: true },
        ],
        advert_int: 1,
        check_interval: 1,
        fail_count: 2,
        success_count: 2,
        garp_refresh_interval: 5,
        auth_pass: 'vxvrpass',
      },
    };
  }

  private call<T>(n: Name, fn: (c: AmphoraAgentClient, cb: grpc.requestCallback<T>) => void): Promise<T> {
    const rpc = this.runs[n].rpc;
    if (!rpc) return Promise.reject(new Error(`agent ${n} is not running`));
    return new Promise((resolve, reject) => fn(rpc, (err, res) => (err ? reject(err) : resolve(res as T))));
  }

  /** Apply the next config version to `n` (`edit` may change it first). */
  apply(n: Name, edit: (c: AmphoraConfig) => AmphoraConfig = (c) => c): Promise<ApplyResponse__Output> {
    this.runs[n].version++;
    const config = edit(this.config(n));
    return this.call(n, (c, cb) => c.Apply({ config }, { deadline: Date.now() + 30_000 }, cb));
  }

  status(n: Name): Promise<AmphoraStatus__Output> {
    return this.call(n, (c, cb) => c.GetStatus({}, { deadline: Date.now() + 10_000 }, cb));
  }

  releaseMastership(n: Name): Promise<ReleaseMastershipResponse__Output> {
    return this.call(n, (c, cb) => c.ReleaseMastership({}, { deadline: Date.now() + 30_000 }, cb));
  }

  async vrrpState(n: Name): Promise<string> {
    return (await this.status(n)).vrrp_state;
  }

  /** Wait (bounded) until GetStatus of `n` reports `want`. */
  async waitState(n: Name, want: string, limitMs = 30_000): Promise<void> {
    let last = '';
    await waitFor(
      `${n} ${want}`,
      async () => ((last = await this.vrrpState(n)) === want ? true : undefined),
      400,
      100,
      limitMs,
    ).catch((err: Error) => {
      throw new Error(`${err.message} (last state: ${JSON.stringify(last)})`);
    });
  }

  /** Start the agents, A first: A (priority 100) wins the first election, B stays BACKUP. */
  async startBoth(): Promise<void> {
    await this.startAgent('a');
    await this.apply('a');
    await this.waitState('a', 'MASTER');
    await this.startAgent('b');
    await this.apply('b');
    await this.waitState('b', 'BACKUP');
  }

  /** The floating addresses (without prefix) that amphora `n` holds now. */
  held(n: Name): string[] {
    const floating = [this.vipCidr, this.vip6Cidr, this.snatCidr].map((c) => c.split('/')[0]);
    const links = JSON.parse(this.net.ip(this.runs[n].plan.ns, '-j', 'addr', 'show')) as {
      addr_info?: { local: string }[];
    }[];
    const local = links.flatMap((l) => (l.addr_info ?? []).map((a) => a.local));
    return floating.filter((f) => local.includes(f!)) as string[];
  }

  /** The amphorae holding the IPv4 VIP now. */
  vipHolders(): Name[] {
    return (['a', 'b'] as const).filter((n) => this.held(n).includes(this.vip));
  }

  /** Wait (bounded) until exactly `n` holds every floating address and the other none. */
  async waitHolder(n: Name, limitMs = 30_000): Promise<void> {
    const other: Name = n === 'a' ? 'b' : 'a';
    await waitFor(
      `${n} the only holder of the floating addresses`,
      () => (this.held(n).length === 3 && this.held(other).length === 0 ? true : undefined),
      400,
      100,
      limitMs,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message} (a holds ${this.held('a').join(',')}; b holds ${this.held('b').join(',')})`,
      );
    });
  }

  /** The MAC of `n`'s VIP interface. */
  mac(n: Name): string {
    const [link] = JSON.parse(this.net.ip(this.runs[n].plan.ns, '-j', 'link', 'show', VIP_IF)) as {
      address: string;
    }[];
    return link!.address;
  }

  /** The MAC the client's neighbour table has for `ip` now (undefined: no entry). */
  clientNeighbour(ip: string): string | undefined {
    const entries = JSON.parse(this.net.ip(this.client, '-j', 'neigh', 'show', ip)) as { lladdr?: string }[];
    return entries[0]?.lladdr;
  }

  /** Wait (bounded) until the client's neighbour entry for `ip` is `mac` (the test never flushes it). */
  async waitNeighbour(ip: string, mac: string): Promise<void> {
    await waitFor(
      `the client's entry for ${ip} at ${mac}`,
      () => (this.clientNeighbour(ip) === mac ? true : undefined),
      200,
      100,
    ).catch((err: Error) => {
      throw new Error(`${err.message} (it is ${this.clientNeighbour(ip)})`);
    });
  }

  /** `count` TCP requests to `host` (the VIP by default), each on a new connection. */
  requests(count: number, host = this.vip): Counts {
    const out = this.net.exec(this.client, process.execPath, [
      join(fixtures, 'l4-client.mjs'),
      'requests',
      'tcp',
      host,
      String(PORT),
      String(count),
      '',
    ]);
    return (JSON.parse(out) as Record<string, Counts>)['']!;
  }

  /** Connections the XDP listener on `vip` of `n` has seen (GetStatus counters). */
  async connections(n: Name, vip = this.vip): Promise<number> {
    const id = vip === this.vip ? 'listener-4' : 'listener-6';
    const l = (await this.status(n)).listeners.find((x) => x.id === id);
    return Number(l?.counters?.total_connections ?? 0);
  }

  /** One long TCP upload through the VIP (l4-client.mjs `upload`): for flow-survival tests. */
  upload(host = this.vip): JsonLines {
    const child = this.net.spawn(this.client, process.execPath, [
      join(fixtures, 'l4-client.mjs'),
      'upload',
      host,
      String(PORT),
    ]);
    return new JsonLines(child, 'client upload');
  }

  /** keepalived's parent pid in `n` (from the agent's pid file). */
  keepalivedPid(n: Name): number | undefined {
    return this.runs[n].keepalivedPid();
  }

  processAlive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** SIGKILL only the agent of `n`: its keepalived keeps running, its serving file goes stale. */
  async killAgentOnly(n: Name): Promise<void> {
    const run = this.runs[n];
    if (!run.running) throw new Error(`agent ${n} is not running`);
    const exited = new Promise((r) => run.proc!.once('exit', r));
    run.proc!.kill('SIGKILL');
    await exited;
    run.rpc?.close();
    run.rpc = null;
  }

  /** SIGKILL the agent of `n` and its keepalived (process group): nothing gets to clean up. */
  async killAmphora(n: Name): Promise<void> {
    const run = this.runs[n];
    const kpid = run.keepalivedPid();
    if (run.running) {
      const exited = new Promise((r) => run.proc!.once('exit', r));
      run.proc!.kill('SIGKILL');
      await exited;
    }
    run.rpc?.close();
    run.rpc = null;
    if (kpid !== undefined) killGroup(kpid);
  }

  /** Stop the agent of `n` with SIGTERM (its close stops keepalived gracefully). */
  async stopAgent(n: Name): Promise<void> {
    const run = this.runs[n];
    if (!run.running) return;
    const exited = new Promise((r) => run.proc!.once('exit', r));
    run.proc!.kill('SIGTERM');
    await exited;
    run.rpc?.close();
    run.rpc = null;
  }

  /** Carrier of `n`'s VIP link (the bridge side goes down: no addresses are flushed). */
  setVipLink(n: Name, up: boolean): void {
    this.net.ip(this.fab, 'link', 'set', this.runs[n].plan.fabPort, up ? 'up' : 'down');
  }

  /** Drop VRRP (IP protocol 112) arriving at `n` (nftables inside its namespace). */
  blockVrrp(n: Name): void {
    const ns = this.runs[n].plan.ns;
    this.net.exec(
      ns,
      'nft',
      ['-f', '-'],
      'table inet vxvr {\n chain in {\n type filter hook input priority 0;\n meta l4proto vrrp drop\n }\n}\n',
    );
  }

  unblockVrrp(n: Name): void {
    this.net.exec(this.runs[n].plan.ns, 'nft', ['delete', 'table', 'inet', 'vxvr']);
  }

  private async destroy(): Promise<void> {
    this.hbServer?.forceShutdown();
    for (const n of ['a', 'b'] as const) {
      const run = this.runs[n];
      run.rpc?.close();
      await this.stopAgent(n).catch(() => undefined);
      const kpid = run.keepalivedPid();
      if (kpid !== undefined) killGroup(kpid);
    }
    await this.net.cleanup();
    for (const n of ['a', 'b'] as const) removePins(this.runs[n].pinRoot);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** SIGKILL a keepalived and its VRRP child (its process group), if it is still a keepalived. */
function killGroup(pid: number): void {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('keepalived')) return;
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Fail, naming it, when nftables is missing. */
export function requireNft(): void {
  try {
    sh('nft', ['--version']);
  } catch {
    throw new Error('this test needs nft (nftables) on PATH');
  }
}
