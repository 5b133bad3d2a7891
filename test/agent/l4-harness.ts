// A lab for the l4-* namespace tests (topology in l4-topology.ts): a client, an amphora
// running the real agent (controller mode, gRPC over a unix socket, so Apply and GetStatus
// answer directly), and members that answer with their names. Removed in teardown, even
// on failure.
import * as grpc from '@grpc/grpc-js';
import type { Test } from 'tap';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removePins } from '../../src/dataplane/dataplane.js';
import type { AmphoraAgentClient } from '../../src/grpc/gen/velox/agent/v1/AmphoraAgent.js';
import type { AmphoraStatus__Output } from '../../src/grpc/gen/velox/agent/v1/AmphoraStatus.js';
import type { ApplyResponse__Output } from '../../src/grpc/gen/velox/agent/v1/ApplyResponse.js';
import { agentProto } from '../../src/grpc/load.js';
import { Netns, requireNetnsPrivileges, waitFor } from '../lib/netns.js';
import { amphoraConfig, PORT, type ServiceSpec } from './l4-config.js';
import { JsonLines } from './l4-process.js';
import {
  buildTopology,
  LabPlan,
  requireBuilt,
  root,
  type LabMember,
  type LabOptions,
} from './l4-topology.js';

export { root };
const fixtures = join(root, 'test', 'agent', 'fixtures');

export class L4Lab extends LabPlan {
  readonly net = new Netns('vxl');
  private readonly dir = mkdtempSync(join(tmpdir(), 'vxl-'));
  private readonly servers = new Map<string, ChildProcess>();
  private agentProc: ChildProcess | null = null;
  private rpc: AmphoraAgentClient | null = null;
  private version = 0;
  agentLog = '';

  /** Build the topology and start the members and the agent; `t.teardown` removes it all. */
  static async create(t: Test, opts: LabOptions): Promise<L4Lab> {
    requireNetnsPrivileges();
    requireBuilt();
    const lab = new L4Lab(opts);
    t.teardown(() => lab.destroy());
    t.teardown(() => {
      if (!t.passing()) t.comment(`agent log:\n${lab.agentLog}`);
    });
    buildTopology(lab.net, lab);
    for (const m of lab.members) await lab.startMember(m.name);
    await lab.startAgent();
    return lab;
  }

  async startMember(name: string): Promise<void> {
    const m = this.member(name);
    const child = this.net.spawn(m.ns, process.execPath, [
      join(fixtures, 'l4-member.mjs'),
      m.name,
      String(PORT),
    ]);
    this.servers.set(name, child);
    await new JsonLines(child, `member ${name}`).raw(/^ready$/);
  }

  async stopMember(name: string): Promise<void> {
    const child = this.servers.get(name);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  member(name: string): LabMember {
    const m = this.members.find((x) => x.name === name);
    if (!m) throw new Error(`no member ${name}`);
    return m;
  }

  private get agentSock(): string {
    return join(this.dir, 'agent.sock');
  }

  /** Start the agent; with `bpfObject`, a different build of the XDP program. Resolves when it serves gRPC. */
  async startAgent(bpfObject = join(root, 'bpf/xdp_lb.bpf.o')): Promise<void> {
    if (this.agentProc && this.agentProc.exitCode === null && this.agentProc.signalCode === null)
      throw new Error('the agent is already running');
    const bootstrap = join(this.dir, 'bootstrap.json');
    writeFileSync(
      bootstrap,
      JSON.stringify({
        amphora_id: this.amphoraId,
        grpc_listen: `unix:${this.agentSock}`,
        metrics_listen: '127.0.0.1:9100',
        pin_root: this.pinRoot,
        bpf_object: bpfObject,
      }),
    );
    // A killed agent leaves its socket file behind (a real amphora listens on a TCP port).
    if (existsSync(this.agentSock)) unlinkSync(this.agentSock);
    this.agentLog = '';
    const child = this.net.spawn(this.amp, process.execPath, [
      join(root, 'dist/src/main.js'),
      '--bootstrap',
      bootstrap,
      '--state-dir',
      join(this.dir, 'state'), // HAProxy's files: not under /run of the machine
    ]);
    child.stderr?.on('data', (d: Buffer) => (this.agentLog += d.toString()));
    this.agentProc = child;
    await this.waitLog('agent-ready', /"event":"agent-ready"/);
    this.rpc?.close();
    const Client = agentProto().velox.agent.v1.AmphoraAgent;
    this.rpc = new Client(`unix:${this.agentSock}`, grpc.credentials.createInsecure());
  }

  /** Stop the agent with `signal` (SIGTERM: clean exit, SIGKILL: no chance to clean up). */
  async stopAgent(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.agentProc;
    if (!child || child.exitCode !== null || child.signalCode !== null)
      throw new Error('the agent is not running');
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill(signal);
    const code = await exited;
    this.rpc?.close();
    this.rpc = null;
    return code;
  }

  async waitLog(what: string, re: RegExp): Promise<string> {
    return waitFor(what, () => {
      const m = re.exec(this.agentLog);
      if (m) return m[0];
      const proc = this.agentProc;
      if (proc && (proc.exitCode !== null || proc.signalCode !== null))
        throw new Error(`the agent exited:\n${this.agentLog}`);
      return undefined;
    });
  }

  private call<T>(fn: (c: AmphoraAgentClient, cb: grpc.requestCallback<T>) => void): Promise<T> {
    const rpc = this.rpc;
    if (!rpc) return Promise.reject(new Error('the agent is not running'));
    return new Promise((resolve, reject) => fn(rpc, (err, res) => (err ? reject(err) : resolve(res as T))));
  }

  /** Apply the service described by `spec` as the next config version. */
  apply(spec: ServiceSpec, sameVersion = false): Promise<ApplyResponse__Output> {
    if (!sameVersion) this.version++;
    const config = amphoraConfig(this, this.version, spec);
    return this.call((c, cb) => c.Apply({ config }, { deadline: Date.now() + 20_000 }, cb));
  }

  status(): Promise<AmphoraStatus__Output> {
    return this.call((c, cb) => c.GetStatus({}, { deadline: Date.now() + 10_000 }, cb));
  }

  /** The operating status of a member, by member id, as GetStatus reports it. */
  async memberStatus(id: string): Promise<string | undefined> {
    return (await this.status()).members.find((m) => m.id === id)?.operating_status;
  }

  /** Wait (bounded) until GetStatus reports member `id` as `want`. */
  async waitMemberStatus(id: string, want: string): Promise<void> {
    let last: string | undefined;
    await waitFor(
      `member ${id} ${want}`,
      async () => ((last = await this.memberStatus(id)) === want ? true : undefined),
      200,
      100,
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message} (last status: ${last})`);
    });
  }

  /** The agent's Prometheus exposition text (it listens inside the amphora namespace). */
  metrics(): string {
    return this.net.exec(this.amp, process.execPath, [
      '-e',
      "fetch('http://127.0.0.1:9100/metrics').then(r=>r.text()).then(s=>process.stdout.write(s))",
    ]);
  }

  /** Packets the XDP program returned for `reason` (lower case, e.g. pass_local_socket), per /metrics. */
  exitPackets(reason: string): number {
    const line = new RegExp(`^velox_xdp_exit_packets_total\\{reason="${reason}"\\} (\\d+)$`, 'm');
    return Number(line.exec(this.metrics())?.[1] ?? 0);
  }

  /** `n` requests through the VIP (or `host`), each on a new connection (TCP) or socket (UDP). */
  requests(proto: 'tcp' | 'udp', n: number, opts: { source?: string; host?: string } = {}): Counts {
    const source = opts.source ?? '';
    return this.requestsFrom(proto, n, [source], opts.host).get(source)!;
  }

  /** `n` requests from each of `sources` (client addresses), in one client process. */
  requestsFrom(proto: 'tcp' | 'udp', n: number, sources: string[], host = this.vip): Map<string, Counts> {
    const args = ['requests', proto, host, String(PORT), String(n), sources.join(',')];
    const out = this.net.exec(this.client, process.execPath, [join(fixtures, 'l4-client.mjs'), ...args]);
    return new Map(Object.entries(JSON.parse(out) as Record<string, Counts>));
  }

  /** A long-running client fixture (modes `hold`, `upload`, `udpseq`). */
  clientProcess(mode: 'hold' | 'upload' | 'udpseq', ...args: string[]): JsonLines {
    const child = this.net.spawn(this.client, process.execPath, [
      join(fixtures, 'l4-client.mjs'),
      mode,
      ...args,
    ]);
    return new JsonLines(child, `client ${mode}`);
  }

  /** N TCP connections held open; resolves with the member each one reached (null: none). */
  async hold(n: number, opts: { source?: string; host?: string } = {}): Promise<HeldConnections> {
    const proc = this.clientProcess(
      'hold',
      opts.host ?? this.vip,
      String(PORT),
      String(n),
      opts.source ?? '',
    );
    const first = await proc.next<{ members: (string | null)[] }>('members', 30_000);
    return new HeldConnections(proc, first.members);
  }

  private async destroy(): Promise<void> {
    this.rpc?.close();
    await this.net.cleanup();
    removePins(this.pinRoot);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Counts {
  answers: Record<string, number>;
  failures: number;
}

export class HeldConnections {
  constructor(
    private readonly proc: JsonLines,
    readonly members: (string | null)[],
  ) {}

  /** Ask every connection again: the member each one reaches now (null: no answer). */
  async ask(): Promise<(string | null)[]> {
    this.proc.send('ask');
    return (await this.proc.next<{ members: (string | null)[] }>('members')).members;
  }

  close(): void {
    this.proc.end();
  }
}
