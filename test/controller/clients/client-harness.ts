// The real clients against the app listening on 127.0.0.1: Debian's `openstack`
// CLI (openstackclient + octaviaclient) and openstacksdk under the system Python,
// both configured by the shipped etc/clouds.yaml (noauth) with its port replaced.
// No worker runs here, so tests activate the graph between calls the way the
// worker would (h.activate); SDK scripts ask for it over a line protocol.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { createAmphora } from '../../../controller/db/amphora-repo.js';
import { recordHeartbeat } from '../../../controller/health/server.js';
import { harness, type Harness } from '../api/helpers.js';

export const OPENSTACK = '/usr/bin/openstack';
/** Debian's python3-openstacksdk lives in the system interpreter, not a pyenv one. */
export const PYTHON = '/usr/bin/python3';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- client output under test

export interface ClientHarness {
  h: Harness;
  /** Runs `openstack ARGS` (in the shared CLI session); resolves with stdout, rejects with stderr. */
  os(...args: string[]): Promise<string>;
  /** `openstack ARGS -f json`, parsed. */
  json(...args: string[]): Promise<Json>;
  /**
   * Runs test/controller/clients/NAME.py. The script prints JSON lines: `{"activate": lbId}`
   * (answered with a newline once the graph is ACTIVE) and `{"result": key, "value": …}`.
   */
  sdk(name: string, ...args: string[]): Promise<Record<string, Json>>;
}

/** What is missing for these tests to run, or undefined. */
export function missingClient(): string | undefined {
  if (!existsSync(OPENSTACK))
    return `${OPENSTACK}: apt-get install python3-openstackclient python3-octaviaclient`;
  if (!existsSync('/usr/lib/python3/dist-packages/openstack/load_balancer'))
    return 'openstacksdk: apt-get install python3-openstacksdk';
  return undefined;
}

function script(name: string): string {
  return fileURLToPath(new URL(`./${name}.py`, import.meta.url));
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export async function clientHarness(t: Test): Promise<ClientHarness> {
  const h = await harness();
  t.teardown(() => h.close());
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'velox-clients-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const clouds = join(dir, 'clouds.yaml');
  const shipped = readFileSync(new URL('../../../etc/clouds.yaml', import.meta.url), 'utf8');
  writeFileSync(clouds, shipped.replaceAll('127.0.0.1:9876', `127.0.0.1:${port}`));
  // No __pycache__ next to the scripts in the source tree.
  const env = {
    ...process.env,
    OS_CLOUD: 'velox',
    OS_CLIENT_CONFIG_FILE: clouds,
    HOME: dir,
    PYTHONDONTWRITEBYTECODE: '1',
  };

  // One interpreter runs every command of the test (cli_session.py): the CLI's own
  // entry point, without seconds of start-up per command.
  const session = spawn(PYTHON, [script('cli_session')], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => {
    session.stdin.end();
  });
  let sessionErr = '';
  session.stderr.on('data', (d: Buffer) => (sessionErr += d.toString()));
  const replies = createInterface({ input: session.stdout })[Symbol.asyncIterator]();
  let queue: Promise<unknown> = Promise.resolve();
  const os = (...args: string[]) => {
    const run = queue.then(async () => {
      session.stdin.write(JSON.stringify(args) + '\n');
      const reply = await withTimeout(replies.next(), 120_000, `openstack ${args.join(' ')}`);
      if (reply.done) throw new Error(`cli_session.py ended: ${sessionErr}`);
      const { rc, stdout, stderr } = JSON.parse(reply.value) as {
        rc: number;
        stdout: string;
        stderr: string;
      };
      if (rc !== 0) throw new Error(`openstack ${args.join(' ')}: rc ${rc}: ${stderr}`);
      return stdout;
    });
    queue = run.catch(() => undefined);
    return run;
  };

  const sdk = (name: string, ...args: string[]) =>
    new Promise<Record<string, Json>>((resolve, reject) => {
      const child = spawn(PYTHON, [script(name), ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      const results: Record<string, Json> = {};
      let stderr = '';
      let failure: Error | undefined;
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Activation is asynchronous; the lines are handled in order so a script never
      // runs ahead of the graph it is waiting for.
      let chain = Promise.resolve();
      createInterface({ input: child.stdout }).on('line', (line) => {
        chain = chain.then(async () => {
          let msg: Json;
          try {
            msg = JSON.parse(line);
          } catch {
            failure ??= new Error(`${name}.py printed a line that is not JSON: ${line}`);
            return;
          }
          if (typeof msg.activate === 'string') {
            await h.activate(msg.activate);
            child.stdin.write('\n');
          } else if (typeof msg.result === 'string') {
            results[msg.result] = msg.value;
          }
        });
      });
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        void chain.then(() => {
          if (code !== 0) reject(new Error(`${name}.py exited ${code}: ${stderr}`));
          else if (failure) reject(failure);
          else resolve(results);
        });
      });
    });

  return {
    h,
    os,
    json: async (...args) => JSON.parse(await os(...args, '-f', 'json')),
    sdk,
  };
}

/** An amphora of LB_ID that has reported COUNTS for LISTENER_ID, as the health server records it. */
export async function amphoraWithStats(
  h: Harness,
  amphoraId: string,
  lbId: string,
  listenerId: string,
  counts: { bytes_in: number; bytes_out: number; active_connections: number; total_connections: number },
): Promise<void> {
  await createAmphora(h.db, {
    id: amphoraId,
    status: 'ALLOCATED',
    role: 'STANDALONE',
    load_balancer_id: lbId,
    compute_id: `compute-${amphoraId}`,
    lb_network_ip: '172.31.0.11',
  });
  await recordHeartbeat(h.db, amphoraId, {
    amphora_id: amphoraId,
    applied_version: '1',
    sequence: '1',
    vrrp_state: '',
    listeners: [
      {
        id: listenerId,
        operating_status: 'ONLINE',
        packets_in: '0',
        bytes_in: String(counts.bytes_in),
        packets_out: '0',
        bytes_out: String(counts.bytes_out),
        total_connections: String(counts.total_connections),
        active_connections: String(counts.active_connections),
        request_errors: '0',
        drops: {},
      },
    ],
    pools: [],
    members: [],
  });
}
