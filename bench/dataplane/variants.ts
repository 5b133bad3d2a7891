// The six ways the balancer namespace handles the same traffic. Each sets itself up on
// the shared topology and takes itself down again, leaving the topology as it found it;
// each says where each test sends its traffic, or why it cannot take part.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { VARIANT, type FigureId } from './figures.js';
import { startHaproxy, stopHaproxy } from './haproxy.js';
import { quiet, run } from './shell.js';
import { flushConntrack, type Target } from './tools.js';
import { ADDR, DEV, DROP_MAP, NS, PIN_ROOT, PORT, SINK_MAP, type Topology } from './topology.js';
import { startAgent, stopAgent, type RunningAgent } from './velox-agent.js';

export interface Variant {
  name: string;
  /** Where each test sends: the VIP, or a member directly for plain routing. */
  targets: { udp?: Target; syn?: Target; tcp?: Target };
  /** Figures it cannot take part in, and why. */
  na: Partial<Record<FigureId, string>>;
  /** The map counting the packet and SYN tests' arrivals (the balancer itself for XDP_DROP). */
  counter: string;
  /** Whether the balancer keeps conntrack state that must be emptied between runs. */
  conntrack: boolean;
  /** The balancer's own processes, charged with the NAPI threads. */
  pids(): number[];
  setup(topo: Topology): Promise<void>;
  teardown(): Promise<void>;
}

const vip = (p: { vip: number }): Target => ({ address: ADDR.vip, port: p.vip });
const VIP = { udp: vip(PORT.udp), syn: vip(PORT.syn), tcp: vip(PORT.tcp) };
const m0 = ADDR.members[0]!;

function xdpVariant(name: string, obj: (t: Topology) => string, counter: string, why: string): Variant {
  return {
    name,
    targets: { udp: VIP.udp, syn: VIP.syn },
    na: { connection: why, request: why, throughput: why },
    counter,
    conntrack: false,
    pids: () => [],
    setup: async (topo) => {
      run('ip', ['-n', NS.balancer, 'link', 'set', 'dev', DEV.vip, 'xdpdrv', 'obj', obj(topo), 'sec', 'xdp']);
    },
    teardown: async () => quiet('ip', ['-n', NS.balancer, 'link', 'set', 'dev', DEV.vip, 'xdpdrv', 'off']),
  };
}

function veloxVariant(): Variant {
  let agent: RunningAgent | undefined;
  return {
    name: VARIANT.velox,
    targets: VIP,
    na: {},
    counter: SINK_MAP,
    conntrack: false,
    pids: () => (agent?.child.pid ? [agent.child.pid] : []),
    setup: async (topo) => {
      agent = await startAgent(topo.dir);
      // A listener the fast path cannot serve would go to HAProxy: then this is not xdp_lb.
      if (processesIn(NS.balancer).includes('haproxy'))
        throw new Error('the agent started HAProxy for a bench listener: not the XDP path');
    },
    teardown: async () => {
      if (agent) await stopAgent(agent);
      agent = undefined;
      quiet('rm', ['-rf', PIN_ROOT]);
    },
  };
}

/** Command names of the processes in a namespace. */
function processesIn(ns: string): string[] {
  return run('ip', ['netns', 'pids', ns])
    .split('\n')
    .filter(Boolean)
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        return '';
      }
    });
}

const NFT_TABLE = 'vxkbench';

/** DNAT to the members in turn (per new connection: NAT is decided on a flow's first packet). */
function dnat(proto: 'udp' | 'tcp', p: { vip: number; member: number }): string {
  const map = ADDR.members.map((m, i) => `${i} : ${m} . ${p.member}`).join(', ');
  return `ip daddr ${ADDR.vip} ${proto} dport ${p.vip} dnat ip to numgen inc mod ${ADDR.members.length} map { ${map} }`;
}

function nftVariant(): Variant {
  return {
    name: VARIANT.nft,
    targets: VIP,
    na: {},
    counter: SINK_MAP,
    conntrack: true,
    pids: () => [],
    setup: async (topo) => {
      flushConntrack(topo); // the previous run's entries would still be there
      run(
        'ip',
        ['netns', 'exec', NS.balancer, 'nft', '-f', '-'],
        `table ip ${NFT_TABLE} {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    ${dnat('udp', PORT.udp)}
    ${dnat('tcp', PORT.syn)}
    ${dnat('tcp', PORT.tcp)}
  }
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${DEV.mem}" snat ip to ${ADDR.memSide}
  }
}
`,
      );
    },
    teardown: async () =>
      quiet('ip', ['netns', 'exec', NS.balancer, 'nft', 'delete', 'table', 'ip', NFT_TABLE]),
  };
}

function haproxyVariant(): Variant {
  let child: ChildProcess | undefined;
  return {
    name: VARIANT.haproxy,
    targets: { tcp: VIP.tcp },
    na: {
      packet: 'HAProxy does not forward UDP',
      newFlow: 'SYNs end in HAProxy’s own kernel, nothing is forwarded: see per connection',
    },
    counter: SINK_MAP,
    conntrack: false,
    pids: () => (child?.pid ? [child.pid] : []),
    setup: async (topo) => {
      child = await startHaproxy(topo.dir);
    },
    teardown: async () => {
      await stopHaproxy(child);
      child = undefined;
    },
  };
}

export function variants(): Variant[] {
  return [
    xdpVariant(VARIANT.drop, (t) => t.dropObj, DROP_MAP, 'drops everything: no connection completes'),
    xdpVariant(VARIANT.fwd, (t) => t.fwdObj, SINK_MAP, 'stateless and one-way: replies are not translated'),
    veloxVariant(),
    {
      name: VARIANT.kernel,
      targets: {
        udp: { address: m0, port: PORT.udp.member },
        syn: { address: m0, port: PORT.syn.member },
        tcp: { address: m0, port: PORT.tcp.member },
      },
      na: {},
      counter: SINK_MAP,
      conntrack: false,
      pids: () => [],
      setup: async () => undefined,
      teardown: async () => undefined,
    },
    nftVariant(),
    haproxyVariant(),
  ];
}
