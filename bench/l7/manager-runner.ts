// The agent's HAProxy path without the rest of the agent: HaproxyManager (src/haproxy)
// fed the bench's AmphoraConfig, exactly as the agent calls it. Separates what the
// rendered configuration costs from what the agent's XDP program and event loop add.
// usage: node manager-runner.js CONFIG.json RUN_DIR LISTENER_ID   (prints "ready"; SIGTERM stops)
import { loadAmphoraConfig } from '../../src/config/amphora-config.js';
import { stderrLogger } from '../../src/agent/log.js';
import { HaproxyManager } from '../../src/haproxy/manager.js';

const [file, runDir, listenerId] = process.argv.slice(2);
if (!file || !runDir || !listenerId) {
  process.stderr.write('usage: manager-runner CONFIG.json RUN_DIR LISTENER_ID\n');
  process.exit(2);
}
const manager = new HaproxyManager({ runDir, log: stderrLogger });
const stop = (): void => {
  manager.close().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`manager close: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
try {
  await manager.apply(await loadAmphoraConfig(file), [listenerId]);
  process.stdout.write('ready\n');
} catch (err) {
  process.stderr.write(`manager apply: ${(err as Error).message}\n`);
  await manager.close().catch(() => {});
  process.exit(1);
}
