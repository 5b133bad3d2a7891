// HAProxy as a user would run it for an L4 listener: TCP mode, one thread pinned to the
// balancer's CPU, round robin over the bench's members. The VIP is a local address of
// the balancer while it runs (HAProxy terminates the client's connection there).
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inNs, quiet, run, sleep, spawnTracked } from './shell.js';
import { ADDR, NS, PORT } from './topology.js';

/** The whole configuration: nothing beyond what TCP mode needs, close to Octavia's template. */
export function haproxyConfig(): string {
  return [
    'global',
    '    nbthread 1',
    '    maxconn 4000', // the tests keep 16 connections; the fd limit here is 20000
    'defaults',
    '    mode tcp',
    '    timeout connect 5s',
    '    timeout client 50s',
    '    timeout server 50s',
    'frontend vip',
    `    bind ${ADDR.vip}:${PORT.tcp.vip}`,
    '    default_backend members',
    'backend members',
    '    balance roundrobin',
    ...ADDR.members.map((m, i) => `    server m${i} ${m}:${PORT.tcp.member}`),
    '',
  ].join('\n');
}

export function haproxyVersion(): string {
  try {
    return /version (\S+)/.exec(run('haproxy', ['-v']))?.[1] ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

const listening = (): boolean =>
  inNs(NS.balancer, 'ss', ['-Hltn', 'src', `${ADDR.vip}:${PORT.tcp.vip}`]).trim() !== '';

/** Starts HAProxy in the balancer namespace on CPU 0; resolves once it listens. */
export async function startHaproxy(dir: string, timeoutMs = 10_000): Promise<ChildProcess> {
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig());
  run('haproxy', ['-c', '-q', '-f', file]);
  run('ip', ['-n', NS.balancer, 'addr', 'add', `${ADDR.vip}/32`, 'dev', 'lo']);
  const args = [`--net=/run/netns/${NS.balancer}`, 'taskset', '-c', '0', 'haproxy', '-db', '-f', file];
  const child = spawnTracked('nsenter', args, ['ignore', 'ignore', 'pipe']);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const deadline = Date.now() + timeoutMs;
  while (!listening()) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopHaproxy(child);
      throw new Error(
        `haproxy did not start listening: ${
          err
            .split('\n')
            .filter((l) => l.includes('ALERT'))
            .join(' ') || err.trim()
        }`,
      );
    }
    await sleep(50);
  }
  return child;
}

/** SIGTERM (hard stop), SIGKILL if it lingers; removes the VIP address. */
export async function stopHaproxy(child: ChildProcess | undefined, timeoutMs = 5000): Promise<void> {
  if (child && child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
  quiet('ip', ['-n', NS.balancer, 'addr', 'del', `${ADDR.vip}/32`, 'dev', 'lo']);
}
