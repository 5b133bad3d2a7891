// The five ways the balancer namespace forwards the same UDP flows. Each sets itself up
// on the shared topology and takes itself down again, leaving the topology as it found it.
import {
  ADDR,
  DEV,
  DROP_MAP,
  MEMBER_PORT,
  NS,
  PIN_ROOT,
  SINK_MAP,
  VIP_PORT,
  type Topology,
} from './topology.js';
import { quiet, run } from './shell.js';
import { startAgent, stopAgent, type RunningAgent } from './velox-agent.js';

export interface Variant {
  name: string;
  /** Where the client sends: the VIP, or a member directly for plain routing. */
  target: { address: string; port: number };
  /** The map counting packets where they land (the balancer itself for XDP_DROP). */
  counter: string;
  setup(topo: Topology): Promise<void>;
  teardown(): Promise<void>;
}

const VIP = { address: ADDR.vip, port: VIP_PORT };

function xdpVariant(name: string, obj: (t: Topology) => string, counter: string): Variant {
  return {
    name,
    target: VIP,
    counter,
    setup: async (topo) => {
      run('ip', ['-n', NS.balancer, 'link', 'set', 'dev', DEV.vip, 'xdpdrv', 'obj', obj(topo), 'sec', 'xdp']);
    },
    teardown: async () => quiet('ip', ['-n', NS.balancer, 'link', 'set', 'dev', DEV.vip, 'xdpdrv', 'off']),
  };
}

function veloxVariant(): Variant {
  let agent: RunningAgent | undefined;
  return {
    name: 'Velox xdp_lb (standalone agent)',
    target: VIP,
    counter: SINK_MAP,
    setup: async (topo) => {
      agent = await startAgent(topo.dir);
    },
    teardown: async () => {
      if (agent) await stopAgent(agent);
      agent = undefined;
      quiet('rm', ['-rf', PIN_ROOT]);
    },
  };
}

const NFT_TABLE = 'vxkbench';
const [m0, m1] = ADDR.members;

function nftVariant(): Variant {
  return {
    name: 'nftables DNAT + SNAT (conntrack)',
    target: VIP,
    counter: SINK_MAP,
    setup: async () => {
      run(
        'ip',
        ['netns', 'exec', NS.balancer, 'nft', '-f', '-'],
        `table ip ${NFT_TABLE} {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr ${ADDR.vip} udp dport ${VIP_PORT} dnat ip to numgen inc mod 2 map { 0 : ${m0} . ${MEMBER_PORT}, 1 : ${m1} . ${MEMBER_PORT} }
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

export const KERNEL = 'kernel IP forwarding (no NAT)';
export const XDP_FWD = 'XDP stateless forwarder';

export function variants(): Variant[] {
  return [
    xdpVariant('XDP_DROP at ingress (ceiling)', (t) => t.dropObj, DROP_MAP),
    xdpVariant(XDP_FWD, (t) => t.fwdObj, SINK_MAP),
    veloxVariant(),
    {
      name: KERNEL,
      target: { address: m0, port: MEMBER_PORT },
      counter: SINK_MAP,
      setup: async () => undefined,
      teardown: async () => undefined,
    },
    nftVariant(),
  ];
}
