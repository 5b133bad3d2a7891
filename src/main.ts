#!/usr/bin/env node
// velox-agent: the amphora agent process. Standalone (--config) applies one file and
// serves metrics; controller mode (--bootstrap) serves AmphoraAgent over mTLS and sends
// heartbeats. On SIGTERM/SIGINT the servers stop and the pinned data plane and HAProxy
// stay up (unless --cleanup-on-exit), so traffic survives an agent restart; keepalived
// (ACTIVE_STANDBY) stops, so the peer takes the floating addresses at once.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent } from './agent/agent.js';
import { errorFields, stderrLogger as log } from './agent/log.js';
import { loadAmphoraConfig } from './config/amphora-config.js';
import { loadBootstrap } from './config/bootstrap.js';
import { Dataplane } from './dataplane/dataplane.js';
import { packageRoot } from './grpc/proto-dir.js';
import { HaproxyManager } from './haproxy/manager.js';
import { startAgentServer, stopServer } from './grpc/server.js';
import { MemberHealthChecker } from './health/checks/index.js';
import { HeartbeatSender } from './health/heartbeat.js';
import { agentMetrics } from './metrics/registry.js';
import { startMetricsServer } from './metrics/server.js';
import { KeepalivedManager } from './vrrp/manager.js';

const USAGE = `usage:
  velox-agent --config FILE.json [--metrics HOST:PORT] [--pin-root DIR] [--state-dir DIR] [--bpf-object FILE] [--cleanup-on-exit]
  velox-agent --bootstrap FILE.json [--metrics HOST:PORT] [--pin-root DIR] [--state-dir DIR] [--cleanup-on-exit]`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: 'string' },
        bootstrap: { type: 'string' },
        'pin-root': { type: 'string' },
        'state-dir': { type: 'string' },
        metrics: { type: 'string' },
        'bpf-object': { type: 'string' },
        'cleanup-on-exit': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help || Boolean(args.config) === Boolean(args.bootstrap)) {
    process.stderr.write(`${USAGE}\n`);
    return args.help ? 0 : 2;
  }

  const bootstrap = args.bootstrap ? await loadBootstrap(args.bootstrap) : null;
  const initial = args.config ? await loadAmphoraConfig(args.config) : null;
  const amphoraId = bootstrap?.amphora_id ?? initial?.amphora_id ?? '';
  const pinRoot = args['pin-root'] ?? bootstrap?.pin_root ?? `/sys/fs/bpf/velox/${amphoraId}`;
  const bpfObject = args['bpf-object'] || bootstrap?.bpf_object || join(packageRoot(), 'bpf', 'xdp_lb.bpf.o');
  const metricsListen = args.metrics ?? bootstrap?.metrics_listen ?? '0.0.0.0:9100';
  // Files (HAProxy's config, socket and pid): bpffs under pinRoot holds pins only.
  const stateDir = args['state-dir'] || bootstrap?.state_dir || `/run/velox/${amphoraId || 'standalone'}`;

  const dataplane = new Dataplane({ bpfObject, pinRoot, log });
  // Probed health survives a restart, like the pinned rings it decides (see remembered-health.ts).
  const health = new MemberHealthChecker({ log, rememberFile: join(stateDir, 'member-health.json') });
  const haproxy = new HaproxyManager({ runDir: join(stateDir, 'haproxy'), log, metricsListen });
  // ACTIVE_STANDBY: started only by a config with vrrp; its files are this agent's own.
  const vrrp = new KeepalivedManager({ runDir: join(stateDir, 'keepalived'), log });
  const agent = new Agent(dataplane, log, bootstrap ? amphoraId : '', { health, haproxy, vrrp });
  const metrics = await startMetricsServer(agentMetrics(agent), metricsListen, log);
  const grpc = bootstrap ? await startAgentServer(agent, bootstrap.grpc_listen, bootstrap.tls, log) : null;
  const heartbeat = bootstrap?.heartbeat
    ? new HeartbeatSender(
        agent,
        {
          target: bootstrap.heartbeat.target,
          intervalMs: bootstrap.heartbeat.interval_ms,
          amphoraId,
          tls: bootstrap.tls,
        },
        log,
      )
    : null;
  heartbeat?.start();

  if (initial) await agent.apply(initial);
  const configFile = args.config;
  if (configFile) {
    process.on('SIGHUP', () => {
      loadAmphoraConfig(configFile)
        .then((c) => agent.apply(c))
        .catch((err: unknown) => log.error('reload-failed', { file: configFile, ...errorFields(err) }));
    });
  }
  log.info('agent-ready', {
    mode: bootstrap ? 'controller' : 'standalone',
    amphora_id: amphoraId,
    pin_root: pinRoot,
    state_dir: stateDir,
  });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info('agent-stopping', { signal, cleanup: args['cleanup-on-exit'] });
      heartbeat?.stop();
      Promise.all([grpc ? stopServer(grpc.server) : undefined, new Promise((r) => metrics.close(r))])
        .then(() => agent.close(args['cleanup-on-exit'] ?? false))
        .then(
          () => resolve(0),
          (err: unknown) => {
            log.error('stop-failed', errorFields(err));
            resolve(1);
          },
        );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log.error('agent-failed', errorFields(err));
    process.exit(1);
  },
);
