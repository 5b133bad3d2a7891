// The real standalone agent in the balancer namespace, as a user runs it, with the
// bench's listeners on the VIP and its eight members.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTracked } from './shell.js';
import { ADDR, DEV, NS, PIN_ROOT, PORT, REPO } from './topology.js';

const listener = (id: string, protocol: 'UDP' | 'TCP', port: number): object => ({
  id,
  vip_address: ADDR.vip,
  protocol,
  protocol_port: port,
  default_pool_id: id,
  admin_state_up: true,
  connection_limit: -1,
});

const pool = (id: string, protocol: 'UDP' | 'TCP', memberPort: number): object => ({
  id,
  protocol,
  lb_algorithm: 'ROUND_ROBIN',
  admin_state_up: true,
  members: ADDR.members.map((address, i) => ({
    id: `${id}-m${i}`,
    address,
    protocol_port: memberPort,
    weight: 1,
    admin_state_up: true,
  })),
});

/** One listener and pool per test: UDP packets, SYNs, TCP connections. */
export function agentConfig(): object {
  return {
    version: '1',
    amphora_id: 'vxk-bench',
    loadbalancer_id: 'vxk-bench',
    interfaces: [
      { name: DEV.vip, role: 'VIP', addresses: [`${ADDR.vipSide}/24`] },
      { name: DEV.mem, role: 'MEMBER', addresses: [`${ADDR.memSide}/24`] },
    ],
    listeners: [
      listener('udp', 'UDP', PORT.udp.vip),
      listener('syn', 'TCP', PORT.syn.vip),
      listener('tcp', 'TCP', PORT.tcp.vip),
    ],
    pools: [
      pool('udp', 'UDP', PORT.udp.member),
      pool('syn', 'TCP', PORT.syn.member),
      pool('tcp', 'TCP', PORT.tcp.member),
    ],
    dataplane: { snat_port_min: 10000, snat_port_max: 59999 },
  };
}

export interface RunningAgent {
  child: ChildProcess;
  log: string[];
}

/** Starts the agent; resolves once it logged `agent-ready`, rejects if it logged an error first. */
export function startAgent(dir: string, timeoutMs = 20_000): Promise<RunningAgent> {
  const file = join(dir, 'velox.json');
  writeFileSync(file, JSON.stringify(agentConfig(), null, 2));
  const child = spawnTracked(
    'nsenter',
    [
      `--net=/run/netns/${NS.balancer}`,
      process.execPath,
      join(REPO, 'dist', 'src', 'main.js'),
      '--config',
      file,
      '--pin-root',
      PIN_ROOT,
      '--metrics',
      '127.0.0.1:0',
      '--cleanup-on-exit',
    ],
    ['ignore', 'ignore', 'pipe'],
  );
  const agent: RunningAgent = { child, log: [] };
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`velox agent: ${why}\n${agent.log.join('\n')}`));
    };
    const timer = setTimeout(() => fail('not ready in time'), timeoutMs);
    child.on('exit', (code) => fail(`exited ${code}`));
    child.stderr!.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        agent.log.push(line);
        if (line.includes('"level":"error"')) fail('logged an error');
        if (line.includes('agent-ready')) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve(agent);
        }
      }
    });
  });
}

/** SIGTERM (the agent removes its data plane), then SIGKILL if it takes too long. */
export function stopAgent(agent: RunningAgent, timeoutMs = 10_000): Promise<void> {
  if (agent.child.exitCode !== null || agent.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => agent.child.kill('SIGKILL'), timeoutMs);
    agent.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    agent.child.kill('SIGTERM');
  });
}
