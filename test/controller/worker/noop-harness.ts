// A whole controller in-process with the no-op drivers (startController, the real
// API and worker, SQLite), and shortcuts to call the API and wait for the worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { controllerConfig, type ControllerConfig } from '../../../controller/config.js';
import { NoopAmphoraDriver } from '../../../controller/drivers/amphora/noop.js';
import { startController, type ControllerHandle } from '../../../controller/main.js';

export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test

export interface NoopController {
  ctl: ControllerHandle;
  amphora: NoopAmphoraDriver;
  api(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
  ): Promise<{ status: number; body: Obj }>;
  /** Polls GET `url` until the object under `key` satisfies `done`, or is gone (404) when `done` is 'gone'. */
  waitFor(url: string, key: string, done: ((o: Obj) => boolean) | 'gone'): Promise<Obj | undefined>;
  close(): Promise<void>;
}

const headers = { 'x-project-id': 'p1', 'x-roles': 'admin,member' };
const quiet = { info: () => undefined, error: () => undefined };

export function noopConfig(over: Partial<ControllerConfig> = {}): ControllerConfig {
  const stateDir = mkdtempSync(join(tmpdir(), 'velox-noop-'));
  return {
    ...controllerConfig(
      {
        stateDir,
        database: { driver: 'sqlite', path: ':memory:' },
        api: { host: '127.0.0.1', port: 0 },
        worker: { pollMs: 50, leaseMs: 30_000, provisionTimeoutMs: 2000 },
        // Short, so a stale checker (which the no-op amphora driver must not get) would show.
        health: { port: 25599, heartbeatIntervalMs: 100, staleAfterMs: 200 },
        drivers: { compute: 'noop', network: 'noop', amphora: 'noop' },
        providers: { enableNoop: true },
      },
      '', // never read VELOX_CONFIG in tests
    ),
    ...over,
  };
}

export async function startNoop(config = noopConfig()): Promise<NoopController> {
  const ctl = await startController(config, quiet);
  if (!(ctl.amphora instanceof NoopAmphoraDriver)) throw new Error('not the no-op amphora driver');
  const api: NoopController['api'] = async (method, url, payload) => {
    const res = await ctl.app.inject({
      method,
      url: `/v2/lbaas${url}`,
      headers,
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : {}) as Obj };
  };
  return {
    ctl,
    amphora: ctl.amphora,
    api,
    async waitFor(url, key, done) {
      let last: unknown;
      // Bounded: the no-op worker settles a job in milliseconds.
      for (let i = 0; i < 200; i++) {
        const res = await api('GET', url);
        last = res.status === 200 ? res.body[key] : res.status;
        if (done === 'gone' && res.status === 404) return undefined;
        if (done !== 'gone' && res.status === 200 && done(res.body[key] as Obj)) return res.body[key] as Obj;
        await sleep(25);
      }
      throw new Error(`${url}: still ${JSON.stringify(last)}`);
    },
    async close() {
      await ctl.close();
      rmSync(config.stateDir, { recursive: true, force: true });
    },
  };
}

export const isActive = (o: Obj) => o.provisioning_status === 'ACTIVE';
