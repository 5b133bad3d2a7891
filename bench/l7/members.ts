// The members: one HAProxy in the member namespace answering every request itself with a
// small 200 naming the member (`http-request return`), on CPU 1 with the load generator.
// A C server that costs little per request, so that the balancer under test is what the
// figures measure; it is the same for every variant.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inNs, run, sleep, spawnTracked } from '../dataplane/shell.js';
import { ADDR, NS, PORT } from './topology.js';

export function memberConfig(): string {
  return [
    'global',
    '    nbthread 1',
    '    maxconn 4000', // the fd limit here may be 20000: HAProxy needs ~2 per connection
    'defaults',
    '    mode http',
    '    timeout client 50s',
    '    timeout connect 5s',
    '    timeout server 50s',
    ...ADDR.members.flatMap((address, i) => [
      `frontend m${i}`,
      `    bind ${address}:${PORT.member}`,
      `    http-request return status 200 content-type text/plain string "m${i}"`,
    ]),
    '',
  ].join('\n');
}

const listening = (): number =>
  inNs(NS.member, 'ss', ['-Hltn', 'sport', `= :${PORT.member}`])
    .split('\n')
    .filter(Boolean).length;

/** Starts the members' HAProxy on CPU 1; resolves once every member address listens. */
export async function startMembers(dir: string, timeoutMs = 10_000): Promise<ChildProcess> {
  const file = join(dir, 'members.cfg');
  writeFileSync(file, memberConfig());
  run('haproxy', ['-c', '-q', '-f', file]);
  const args = [`--net=/run/netns/${NS.member}`, 'taskset', '-c', '1', 'haproxy', '-db', '-f', file];
  const child = spawnTracked('nsenter', args, ['ignore', 'ignore', 'pipe']);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const deadline = Date.now() + timeoutMs;
  while (listening() < ADDR.members.length) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the members' haproxy did not start: ${err.trim()}`);
    }
    await sleep(50);
  }
  return child;
}
