// The controller process: database, host networks, CA, health service, worker and
// the REST API, started in that order and stopped in reverse on SIGINT/SIGTERM,
// removing every amphora and bridge it made. startController() is the same without
// the process concerns, for tests that run a whole controller in-process.
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import { controllerConfig, type ControllerConfig } from './config.js';
import { openDatabase, type Db } from './db/database.js';
import { CertificateAuthority } from './drivers/certs/ca.js';
import type { AmphoraDriver } from './drivers/amphora/types.js';
import type { NetnsCompute } from './drivers/compute/netns.js';
import type { NoopCompute } from './drivers/compute/noop.js';
import { NetworkFabric } from './drivers/network/fabric.js';
import { selectDrivers } from './drivers/selection.js';
import { HealthServer } from './health/server.js';
import { StaleChecker } from './health/stale-checker.js';
import type { WorkerDeps } from './worker/flow-context.js';
import { rebuildLostAmphorae } from './worker/recovery.js';
import type { FlowLog } from './worker/steps.js';
import { Worker } from './worker/worker.js';

export interface ControllerHandle {
  config: ControllerConfig;
  db: Db;
  /** Base URL of the REST API, e.g. http://127.0.0.1:9876 */
  url: string;
  app: FastifyInstance;
  worker: Worker;
  /** The compute driver config.drivers chose (netns or noop). */
  compute: NetnsCompute | NoopCompute;
  /** How the worker reaches agents (gRPC, or the no-op driver that keeps each config). */
  amphora: AmphoraDriver;
  /** Stops everything and removes every amphora and bridge. Safe to call twice. */
  close(): Promise<void>;
}

export const consoleLog: FlowLog = {
  info: (msg) => console.log(`${new Date().toISOString()} ${msg}`),
  error: (msg) => console.error(`${new Date().toISOString()} ERROR ${msg}`),
};

export async function startController(
  config: ControllerConfig,
  log: FlowLog = consoleLog,
): Promise<ControllerHandle> {
  const undo: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const fn of undo.splice(0).reverse()) {
      await fn().catch((err: unknown) => log.error(`shutdown: ${String(err)}`));
    }
  };
  try {
    const db = await openDatabase(config);
    undo.push(() => db.destroy());

    const drivers = await selectDrivers(config, db);
    const { compute, network, amphora, secrets } = drivers;
    // Leftovers of a previous run (crash or kill -9) go before anything new is made.
    await compute.cleanupAll();
    if (drivers.usesHostNetworks) {
      const fabric = new NetworkFabric(config.network);
      await fabric.ensure();
      undo.push(() => fabric.teardown());
    }
    undo.push(() => compute.cleanupAll());

    const ca = await CertificateAuthority.loadOrCreate(join(config.stateDir, 'ca'));
    const gateway = config.network.management.gatewayIp;
    const controllerCert = await ca.issueControllerCert([gateway, '127.0.0.1']);
    const controllerTls = {
      caPem: ca.certPem,
      certPem: controllerCert.certPem,
      keyPem: controllerCert.keyPem,
    };

    // With the no-op amphora driver nothing reports: no listener on the management
    // network (it does not exist), and no amphora is ever stale (statuses stay as set).
    if (drivers.expectsHeartbeats) {
      const health = new HealthServer({
        db,
        listen: `${gateway}:${config.health.port}`,
        tls: controllerTls,
        log,
      });
      await health.start();
      undo.push(() => health.stop());
      const stale = new StaleChecker(db, config.health.staleAfterMs, log);
      stale.start();
      undo.push(async () => stale.stop());
    }

    const deps: WorkerDeps = { config, db, network, compute, ca, controllerTls, amphora, secrets, log };
    const worker = new Worker(deps);
    await worker.releaseOwnJobs();
    await rebuildLostAmphorae(deps);
    worker.start();
    undo.push(() => worker.stop());

    const app = await buildApp({ config, db, network, secrets });
    // A write the API accepted has committed its job: start it now rather than at the
    // next poll. Polling stays, for jobs written by another controller.
    app.addHook('onResponse', async (req, reply) => {
      if (req.method !== 'GET' && reply.statusCode < 300) worker.poke();
    });
    const url = await app.listen({ host: config.api.host, port: config.api.port });
    undo.push(() => app.close());
    const { selection } = drivers;
    log.info(
      `velox controller: API ${url}, ` +
        (drivers.expectsHeartbeats ? `health ${gateway}:${config.health.port}, ` : '') +
        `drivers compute=${selection.compute} network=${selection.network} amphora=${selection.amphora}, ` +
        `state ${config.stateDir}`,
    );
    return { config, db, url, app, worker, compute, amphora, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function configFileArg(argv: string[]): string | undefined {
  const i = argv.indexOf('--config');
  return i >= 0 ? argv[i + 1] : process.env.VELOX_CONFIG;
}

async function main(): Promise<void> {
  const config = controllerConfig(undefined, configFileArg(process.argv.slice(2)));
  const handle = await startController(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      consoleLog.error(`${signal} again: exiting without cleanup`);
      process.exit(1);
    }
    stopping = true;
    consoleLog.info(`${signal}: stopping (removing amphorae and bridges)`);
    handle.close().then(
      () => process.exit(0),
      (err: unknown) => {
        consoleLog.error(String(err));
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

const entry = process.argv[1];
if (entry && realpathSync(entry) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    consoleLog.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
}
