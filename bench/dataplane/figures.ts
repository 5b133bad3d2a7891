// What the data-plane bench measures and against what it is judged: the figures, the
// variants' names, and the issue's targets. Pure data, shared by the run, the tables and
// the chart.

export type FigureId = 'packet' | 'newFlow' | 'connection' | 'request' | 'throughput';

export interface Unit {
  label: string;
  /** Display value = stored value × scale. */
  scale: number;
  digits: number;
}

export interface Figure {
  id: FigureId;
  title: string;
  /** Stored per second: packets, flows, connections, requests, bytes. */
  rate: Unit;
  /** Stored in balancer CPU nanoseconds per packet, flow, connection, request or GB. */
  cost: Unit;
}

export const FIGURES: readonly Figure[] = [
  {
    id: 'packet',
    title: 'Per forwarded packet (UDP, established flows)',
    rate: { label: 'delivered Mpps', scale: 1e-6, digits: 2 },
    cost: { label: 'balancer ns/packet', scale: 1, digits: 0 },
  },
  {
    id: 'newFlow',
    title: 'Per new flow (TCP SYNs, each from a new source address and port)',
    rate: { label: 'delivered k flows/s', scale: 1e-3, digits: 0 },
    cost: { label: 'balancer ns/flow', scale: 1, digits: 0 },
  },
  {
    id: 'connection',
    title: 'Per TCP connection (connect, one 64-byte request and answer, close)',
    rate: { label: 'k connections/s', scale: 1e-3, digits: 1 },
    cost: { label: 'balancer µs/connection', scale: 1e-3, digits: 1 },
  },
  {
    id: 'request',
    title: 'Per request (64-byte requests and answers on kept-alive connections)',
    rate: { label: 'k requests/s', scale: 1e-3, digits: 1 },
    cost: { label: 'balancer µs/request', scale: 1e-3, digits: 2 },
  },
  {
    id: 'throughput',
    title: 'Bulk TCP transfer (member to client, parallel streams)',
    rate: { label: 'Gbit/s', scale: 8e-9, digits: 2 },
    cost: { label: 'balancer CPU ms/GB', scale: 1e-6, digits: 0 },
  },
];

export const VARIANT = {
  drop: 'XDP_DROP at ingress (ceiling)',
  fwd: 'XDP stateless forwarder',
  velox: 'Velox xdp_lb (standalone agent)',
  kernel: 'kernel IP forwarding (no NAT)',
  nft: 'nftables DNAT + SNAT (conntrack)',
  haproxy: 'HAProxy, TCP mode',
} as const;

/** Short names for the chart. */
export const SHORT: Record<string, string> = {
  [VARIANT.drop]: 'XDP_DROP (ceiling)',
  [VARIANT.fwd]: 'XDP forwarder',
  [VARIANT.velox]: 'Velox xdp_lb',
  [VARIANT.kernel]: 'kernel forwarding',
  [VARIANT.nft]: 'nftables DNAT',
  [VARIANT.haproxy]: 'HAProxy TCP',
};

/** Every ratio in the tables is against this variant, measured in the same round. */
export const REFERENCE = VARIANT.kernel;

export interface Target {
  text: string;
  figure: FigureId;
  /** The ratio cost(numerator) / cost(denominator), per round. */
  numerator: string;
  denominator: string;
  atMost?: number;
  atLeast?: number;
}

/** Issue 3's targets, as ratios measured in the same run. */
export const TARGETS: readonly Target[] = [
  {
    text: 'xdp_lb per packet at most 1.3 × the stateless XDP forwarder',
    figure: 'packet',
    numerator: VARIANT.velox,
    denominator: VARIANT.fwd,
    atMost: 1.3,
  },
  {
    text: 'xdp_lb per packet at least 4 × cheaper than nftables DNAT',
    figure: 'packet',
    numerator: VARIANT.nft,
    denominator: VARIANT.velox,
    atLeast: 4,
  },
  {
    text: 'xdp_lb per new flow at least 3 × cheaper than nftables DNAT',
    figure: 'newFlow',
    numerator: VARIANT.nft,
    denominator: VARIANT.velox,
    atLeast: 3,
  },
];
