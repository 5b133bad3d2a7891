// Prometheus metrics of the amphora, read from the maps at scrape time (collect
// callbacks), never polled: what a scrape shows is what the counters held then.
import { Counter, Gauge, Registry } from 'prom-client';
import type { Agent, StatusReport } from '../agent/agent.js';
import type { Traffic } from '../dataplane/driver.js';

// One map read per scrape, shared by every metric's collect(): render() takes it first.
class Snapshot {
  private report: StatusReport | null = null;
  constructor(private readonly agent: Agent) {}
  async take(): Promise<void> {
    this.report = await this.agent.status();
  }
  get(): Pick<StatusReport, 'loadbalancerId' | 'listeners' | 'pools' | 'members' | 'exits'> {
    return this.report ?? { loadbalancerId: '', listeners: [], pools: [], members: [], exits: [] };
  }
}

export interface AgentMetrics {
  registry: Registry;
  /** The exposition text, with every counter read from the maps now. */
  render(): Promise<string>;
}

type Labels = Record<string, string>;

/** `${prefix}_status{...,status="ERROR"} 1`: the operating status each object has now. */
function statusGauge(
  registry: Registry,
  prefix: string,
  what: string,
  labelNames: string[],
  rows: () => { labels: Labels; status: string }[],
): void {
  new Gauge({
    name: `${prefix}_status`,
    help: `Operating status of each ${what} (Octavia's): 1 for the status it has now.`,
    labelNames: [...labelNames, 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, status } of rows()) this.set({ ...labels, status }, 1);
    },
  });
}

function trafficCounters(
  registry: Registry,
  prefix: string,
  what: string,
  labelNames: string[],
  rows: () => { labels: Labels; traffic: Traffic }[],
): void {
  new Gauge({
    name: `${prefix}_active_connections`,
    help: `Connections (TCP) or flows (UDP) open now for each ${what}.`,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, traffic } of rows()) this.set(labels, Number(traffic.active));
    },
  });
  new Counter({
    name: `${prefix}_drops_total`,
    help: `Packets the fast path dropped on account of each ${what}, by reason (lb.h LB_EXIT_DROP_*).`,
    labelNames: [...labelNames, 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, traffic } of rows()) {
        for (const [reason, n] of Object.entries(traffic.drops)) this.inc({ ...labels, reason }, Number(n));
      }
    },
  });
  new Counter({
    name: `${prefix}_packets_total`,
    help: `Packets forwarded for each ${what}, by direction (in: client to member, out: member to client).`,
    labelNames: [...labelNames, 'direction'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, traffic } of rows()) {
        this.inc({ ...labels, direction: 'in' }, Number(traffic.packetsIn));
        this.inc({ ...labels, direction: 'out' }, Number(traffic.packetsOut));
      }
    },
  });
  new Counter({
    name: `${prefix}_bytes_total`,
    help: `Bytes forwarded for each ${what}, by direction.`,
    labelNames: [...labelNames, 'direction'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, traffic } of rows()) {
        this.inc({ ...labels, direction: 'in' }, Number(traffic.bytesIn));
        this.inc({ ...labels, direction: 'out' }, Number(traffic.bytesOut));
      }
    },
  });
  new Counter({
    name: `${prefix}_connections_total`,
    help: `Connections (TCP) or flows (UDP) created for each ${what}.`,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, traffic } of rows()) this.inc(labels, Number(traffic.connections));
    },
  });
}

export function agentMetrics(agent: Agent): AgentMetrics {
  const registry = new Registry();
  const snapshot = new Snapshot(agent);

  const listenerRows = () => {
    const s = snapshot.get();
    return s.listeners.map((l) => ({
      labels: { loadbalancer: s.loadbalancerId, listener: l.id },
      traffic: l.traffic,
      status: l.status,
    }));
  };
  const memberRows = () => {
    const s = snapshot.get();
    return s.members.map((m) => ({
      labels: { loadbalancer: s.loadbalancerId, pool: m.poolId, member: m.id },
      traffic: m.traffic,
      status: m.status,
    }));
  };
  trafficCounters(registry, 'velox_listener', 'listener', ['loadbalancer', 'listener'], listenerRows);
  trafficCounters(registry, 'velox_member', 'member', ['loadbalancer', 'pool', 'member'], memberRows);
  statusGauge(registry, 'velox_listener', 'listener', ['loadbalancer', 'listener'], listenerRows);
  statusGauge(registry, 'velox_member', 'member', ['loadbalancer', 'pool', 'member'], memberRows);
  statusGauge(registry, 'velox_pool', 'pool', ['loadbalancer', 'pool'], () => {
    const s = snapshot.get();
    return s.pools.map((p) => ({ labels: { loadbalancer: s.loadbalancerId, pool: p.id }, status: p.status }));
  });
  new Counter({
    name: 'velox_xdp_exit_packets_total',
    help: 'Packets that left the XDP program, by the reason it returned what it did.',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const e of snapshot.get().exits) this.inc({ reason: e.reason }, Number(e.packets));
    },
  });
  new Gauge({
    name: 'velox_agent_applied_version',
    help: 'Version of the amphora config the agent has applied (0: none).',
    registers: [registry],
    collect() {
      this.set(Number(agent.appliedVersion));
    },
  });
  return {
    registry,
    render: async () => {
      await snapshot.take();
      return registry.metrics();
    },
  };
}
