// The real standalone agent in the balancer namespace, as a user runs it, with a UDP
// listener on the VIP and the bench's two members.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTracked } from './shell.js';
import { ADDR, DEV, MEMBER_PORT, NS, PIN_ROOT, REPO, VIP_PORT } from './topology.js';

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
      {
        id: 'udp',
        vip_address: ADDR.vip,
        protocol: 'UDP',
        protocol_port: VIP_PORT,
        default_pool_id: 'pool',
        admin_state_up: true,
        connection_limit: -1,
      },
    ],
    pools: [
      {
        id: 'pool',
        protocol: 'UDP',
        lb_algorithm: 'ROUND_ROBIN',
        admin_state_up: true,
        members: ADDR.members.map((address, i) => ({
          id: `m${i}`,
          address,
          protocol_port: MEMBER_PORT,
          weight: 1,
          admin_state_up: true,
        })),
      },
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
