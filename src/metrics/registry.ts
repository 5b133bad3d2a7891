// Prometheus metrics of the amphora, read from the maps at scrape time (collect
// callbacks), never polled: what a scrape shows is what the counters held then.
import { Counter, Gauge, Registry } from 'prom-client';
import type { Agent, StatusReport } from '../agent/agent.js';
import type { Traffic } from '../dataplane/driver.js';

// One map read per scrape, shared by every metric's collect(): render() takes it first.
class Snapshot {
  private report: StatusReport | null = null;
  constructor(private readonly agent: Agent) {}
  take(): void {
    this.report = this.agent.status();
  }
  get(): StatusReport {
    if (!this.report) this.take();
    return this.report as StatusReport;
  }
}

export interface AgentMetrics {
  registry: Registry;
  /** The exposition text, with every counter read from the maps now. */
  render(): Promise<string>;
}

type Labels = Record<string, string>;

function trafficCounters(
  registry: Registry,
  prefix: string,
  what: string,
  labelNames: string[],
  rows: () => { labels: Labels; traffic: Traffic }[],
): void {
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

  trafficCounters(registry, 'velox_listener', 'listener', ['loadbalancer', 'listener'], () => {
    const s = snapshot.get();
    return s.listeners.map((l) => ({
      labels: { loadbalancer: s.loadbalancerId, listener: l.id },
      traffic: l.traffic,
    }));
  });
  trafficCounters(registry, 'velox_member', 'member', ['loadbalancer', 'pool', 'member'], () => {
    const s = snapshot.get();
    return s.members.map((m) => ({
      labels: { loadbalancer: s.loadbalancerId, pool: m.poolId, member: m.id },
      traffic: m.traffic,
    }));
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
    render: () => {
      snapshot.take();
      return registry.metrics();
    },
  };
}
