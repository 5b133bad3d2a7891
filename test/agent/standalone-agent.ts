// The real agent, from source, in standalone mode inside a test namespace: started with a
// config file, waited for until ready, its log printed when the test fails.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor, type Netns } from '../lib/netns.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface TestLike {
  teardown(fn: () => void): void;
  passing(): boolean;
  comment(message: string): void;
}

export interface StandaloneAgent {
  process: ChildProcess;
  /** Everything the agent logged so far (JSON lines on stderr). */
  log(): string;
}

export async function startStandaloneAgent(
  t: TestLike,
  net: Netns,
  ns: string,
  opts: { config: unknown; tmp: string; pinRoot: string },
): Promise<StandaloneAgent> {
  const configFile = join(opts.tmp, 'amphora.json');
  writeFileSync(configFile, JSON.stringify(opts.config));
  let log = '';
  const agent = net.spawn(ns, process.execPath, [
    ...process.execArgv,
    join(root, 'src/main.ts'),
    '--config',
    configFile,
    '--pin-root',
    opts.pinRoot,
    '--state-dir',
    join(opts.tmp, 'state'),
    '--metrics',
    '127.0.0.1:9100',
    '--cleanup-on-exit',
  ]);
  agent.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  t.teardown(() => {
    if (!t.passing()) t.comment(`agent log:\n${log}`);
  });
  await waitFor('agent ready', () => (log.includes('agent-ready') ? true : undefined), 300, 100, 30_000);
  return { process: agent, log: () => log };
}
