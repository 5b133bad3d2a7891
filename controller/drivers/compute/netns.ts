// The local compute driver: an amphora is a network namespace with one veth per NIC
// (host end on the network's bridge) running the agent via nsenter. Names derive from
// the configured prefix and the first 8 hex digits of the amphora id, so everything
// this driver made can be found again after a crash.
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readPidFile, runsWith, startDetached, stopGroup } from './agent-process.js';
import { ipJson, linkExists, listNetns, run } from './host-command.js';
import type { AgentBootstrap, AmphoraHandle, ComputeDriver, CreateAmphoraRequest } from './types.js';

export interface NetnsComputeOptions {
  /** Prefix of every namespace and host link (network.prefix); at most 6 chars. */
  prefix: string;
  stateDir: string;
  /** argv that starts the agent; `--bootstrap FILE` is appended. */
  agentCommand: string[];
  /** Parent of the amphorae's pin folders. */
  bpffsRoot?: string;
  /** How long the agent gets between SIGTERM and SIGKILL. */
  stopGraceMs?: number;
}

const ID_RE = /^[0-9a-f]{8}(-?[0-9a-f]+)*$/i;

export class NetnsCompute implements ComputeDriver {
  private readonly bpffsRoot: string;
  private readonly stopGraceMs: number;

  constructor(private readonly opts: NetnsComputeOptions) {
    // Host link names are prefix + 8 hex + 1 char and must fit IFNAMSIZ (15).
    if (!/^[a-z][a-z0-9]{0,5}$/.test(opts.prefix)) throw new Error(`bad network prefix "${opts.prefix}"`);
    this.bpffsRoot = opts.bpffsRoot ?? '/sys/fs/bpf/velox';
    this.stopGraceMs = opts.stopGraceMs ?? 5000;
  }

  nsName(amphoraId: string): string {
    return `${this.opts.prefix}a-${shortId(amphoraId)}`;
  }

  /** Host end of the veth whose amphora end is `nic` (mgmt0 → …m, vip0 → …v, memN → …N). */
  hostPeer(amphoraId: string, nic: string): string {
    const mem = /^mem(\d+)$/.exec(nic);
    let tag: string;
    if (nic === 'mgmt0') tag = 'm';
    else if (nic === 'vip0') tag = 'v';
    else if (mem && Number(mem[1]) < 36) tag = Number(mem[1]).toString(36);
    else throw new Error(`unsupported amphora NIC name ${nic}`);
    return `${this.opts.prefix}${shortId(amphoraId)}${tag}`;
  }

  amphoraDir(amphoraId: string): string {
    return join(this.opts.stateDir, 'amphorae', amphoraId);
  }

  agentLog(amphoraId: string): string {
    return join(this.amphoraDir(amphoraId), 'agent.log');
  }

  pinRoot(amphoraId: string): string {
    return join(this.bpffsRoot, amphoraId);
  }

  async createAmphora(req: CreateAmphoraRequest): Promise<AmphoraHandle> {
    const id = checkId(req.amphoraId);
    // A retried create starts from nothing, whatever a previous attempt left.
    await this.deleteAmphora(id);
    const ns = this.nsName(id);
    try {
      const bootstrapFile = this.writeFiles(req);
      await run('ip', ['netns', 'add', ns]);
      await run('ip', ['-n', ns, 'link', 'set', 'dev', 'lo', 'up']);
      await this.sysctl(ns, 'net.ipv4.ip_forward', '1');
      // The agent's SNAT range (10000-59999) must not collide with the kernel's own ports
      // (the IPv4 setting covers IPv6 sockets too).
      await this.sysctl(ns, 'net.ipv4.ip_local_port_range', '60000 65000');
      await this.ipv6Sysctls(ns);
      for (const nic of req.nics) await this.plug(id, ns, nic.name, nic.bridge, nic.addresses);
      if (req.defaultGateway) {
        const family = isIPv6(req.defaultGateway) ? '-6' : '-4';
        await run('ip', ['-n', ns, family, 'route', 'replace', 'default', 'via', req.defaultGateway]);
      }
      const argv = ['nsenter', `--net=/run/netns/${ns}`, '--', ...this.opts.agentCommand];
      const pid = await startDetached(
        [...argv, '--bootstrap', bootstrapFile],
        this.agentLog(id),
        join(this.amphoraDir(id), 'agent.pid'),
      );
      return { amphoraId: id, computeId: ns, pid };
    } catch (err) {
      await this.deleteAmphora(id).catch(() => undefined);
      throw err;
    }
  }

  async deleteAmphora(amphoraId: string): Promise<void> {
    const id = checkId(amphoraId);
    const dir = this.amphoraDir(id);
    const pid = readPidFile(join(dir, 'agent.pid'));
    if (pid !== undefined && runsWith(pid, dir)) await stopGroup(pid, this.stopGraceMs);
    await this.removeNamespace(this.nsName(id));
    await this.removeHostLinks(`${this.opts.prefix}${shortId(id)}`);
    rmSync(this.pinRoot(id), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }

  async listAmphorae(): Promise<string[]> {
    const ids = new Set<string>();
    const root = join(this.opts.stateDir, 'amphorae');
    if (existsSync(root)) for (const d of readdirSync(root)) if (ID_RE.test(d)) ids.add(d);
    const known = new Set([...ids].map(shortId));
    // A namespace without a folder is still ours; report it under its short id.
    for (const ns of await this.ownNamespaces()) {
      const short = ns.slice(this.opts.prefix.length + 2);
      if (!known.has(short)) ids.add(short);
    }
    return [...ids].sort();
  }

  async cleanupAll(): Promise<void> {
    for (const id of await this.listAmphorae()) await this.deleteAmphora(id);
    // Host ends whose namespace never got made (a crash mid-create).
    await this.removeHostLinks(this.opts.prefix, /^[0-9a-f]{8}[0-9a-z]$/);
  }

  private writeFiles(req: CreateAmphoraRequest): string {
    const dir = this.amphoraDir(req.amphoraId);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tls = { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
    writeFileSync(tls.ca, req.tls.caPem, { mode: 0o644 });
    writeFileSync(tls.cert, req.tls.certPem, { mode: 0o644 });
    writeFileSync(tls.key, req.tls.keyPem, { mode: 0o600 });
    chmodSync(tls.key, 0o600);
    const bootstrap: AgentBootstrap = { ...req.bootstrap, tls, pin_root: this.pinRoot(req.amphoraId) };
    const file = join(dir, 'bootstrap.json');
    writeFileSync(file, JSON.stringify(bootstrap, null, 2) + '\n', { mode: 0o600 });
    return file;
  }

  private async plug(id: string, ns: string, nic: string, bridge: string, addresses: string[]) {
    const host = this.hostPeer(id, nic);
    await run('ip', ['link', 'add', 'name', host, 'type', 'veth', 'peer', 'name', nic, 'netns', ns]);
    await run('ip', ['link', 'set', 'dev', host, 'master', bridge]);
    // XDP redirects into `nic` are delivered by its peer, which needs NAPI (NOTES.md).
    await run('ethtool', ['-K', host, 'gro', 'on']);
    const features = await run('ethtool', ['-k', host]);
    if (!/^generic-receive-offload: on/m.test(features)) {
      throw new Error(`GRO did not turn on for ${host}: XDP redirects into ${nic} would be dropped`);
    }
    await run('ip', ['link', 'set', 'dev', host, 'up']);
    await run('ip', ['-n', ns, 'link', 'set', 'dev', nic, 'up']);
    // Addresses go on once frames pass the bridge: the kernel announces each new IPv6
    // address then (see ipv6Sysctls), and an announcement sent earlier would be lost.
    await waitUntil(() => bridgePortForwarding(host), 5000, `bridge port ${host} did not start forwarding`);
    for (const a of addresses) await run('ip', ['-n', ns, 'addr', 'add', a, 'dev', nic]);
    if (addresses.some((a) => isIPv6(a.split('/')[0]!))) {
      const settled = async () =>
        !(await run('ip', ['-n', ns, '-6', 'addr', 'show', 'dev', nic, 'tentative']));
      await waitUntil(settled, 2000, `IPv6 addresses on ${nic} stayed tentative`);
    }
  }

  /**
   * Static IPv6 on every interface plugged afterwards (they take `default`): forwarding on
   * (bpf_fib_lookup needs it), no router advertisements, and no duplicate address detection
   * (accept_dad 0), so addresses are usable at once, the link-local one too, without which
   * the kernel sends no neighbour solicitation. Not `nodad` on the addresses: with
   * ndisc_notify, the kernel sends an unsolicited neighbour advertisement (IPv6's gratuitous
   * ARP) for each address whose detection it skips, but none for a `nodad` one; peers that
   * cached another MAC for the VIP (a replaced amphora) switch at once. Nothing to do where
   * IPv6 is disabled.
   */
  private async ipv6Sysctls(ns: string): Promise<void> {
    const conf = await run('nsenter', [
      `--net=/run/netns/${ns}`,
      '--',
      'ls',
      '/proc/sys/net/ipv6/conf',
    ]).catch(() => '');
    if (!conf.includes('default')) return;
    await this.sysctl(ns, 'net.ipv6.conf.all.forwarding', '1');
    for (const scope of ['all', 'default']) {
      await this.sysctl(ns, `net.ipv6.conf.${scope}.accept_ra`, '0');
      await this.sysctl(ns, `net.ipv6.conf.${scope}.accept_dad`, '0');
      await this.sysctl(ns, `net.ipv6.conf.${scope}.ndisc_notify`, '1');
    }
  }

  private async sysctl(ns: string, key: string, value: string): Promise<void> {
    await run('nsenter', [`--net=/run/netns/${ns}`, '--', 'sysctl', '-q', '-w', `${key}=${value}`]);
  }

  private async ownNamespaces(): Promise<string[]> {
    const re = new RegExp(`^${this.opts.prefix}a-[0-9a-f]{8}$`);
    return (await listNetns()).filter((n) => re.test(n));
  }

  private async removeNamespace(ns: string): Promise<void> {
    if (!(await listNetns()).includes(ns)) return;
    // Anything still running inside (a stray agent child, a test tool) goes first.
    const pids = (await run('ip', ['netns', 'pids', ns])).split(/\s+/).filter(Boolean).map(Number);
    await Promise.all(pids.map((p) => stopGroup(p, 1000).catch(() => undefined)));
    await run('ip', ['netns', 'del', ns]);
  }

  private async removeHostLinks(startsWith: string, rest?: RegExp): Promise<void> {
    const veths = await ipJson<{ ifname: string }>(['link', 'show', 'type', 'veth']);
    for (const { ifname } of veths) {
      if (!ifname.startsWith(startsWith)) continue;
      if (rest && !rest.test(ifname.slice(startsWith.length))) continue;
      if (await linkExists(ifname)) await run('ip', ['link', 'del', 'dev', ifname]);
    }
  }
}

/** 3 is BR_STATE_FORWARDING. */
function bridgePortForwarding(ifname: string): boolean {
  try {
    return readFileSync(`/sys/class/net/${ifname}/brport/state`, 'utf8').trim() === '3';
  } catch {
    return false;
  }
}

/** Polls `ready` every 20 ms until it holds; throws `failure` after `timeoutMs`. */
async function waitUntil(ready: () => boolean | Promise<boolean>, timeoutMs: number, failure: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(failure);
    await sleep(20);
  }
}

function checkId(id: string): string {
  // The id names folders and links: refuse anything that could escape them.
  if (!ID_RE.test(id)) throw new Error(`bad amphora id "${id}"`);
  return id.toLowerCase();
}

function shortId(id: string): string {
  return id.replace(/-/g, '').slice(0, 8).toLowerCase();
}
