// /metrics: listener, member and exit counters with their labels, read at scrape time.
import t from 'tap';
import { Agent } from '../../src/agent/agent.js';
import { silentLogger } from '../../src/agent/log.js';
import { readAmphoraConfig } from '../../src/config/proto-json.js';
import { agentMetrics } from '../../src/metrics/registry.js';
import { startMetricsServer } from '../../src/metrics/server.js';
import { RecordingDataplane, sampleConfig } from './fake-dataplane.js';

t.test('the metrics endpoint exports the counters of the applied config', async (t) => {
  const agent = new Agent(new RecordingDataplane(), silentLogger);
  const server = await startMetricsServer(agentMetrics(agent), '127.0.0.1:0', silentLogger);
  t.teardown(() => new Promise((r) => server.close(r)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

  t.match(await scrape(), /^velox_agent_applied_version 0$/m, 'nothing applied yet');
  await agent.apply(readAmphoraConfig(sampleConfig(12)));
  const text = await scrape();
  t.match(text, /^velox_agent_applied_version 12$/m);
  t.match(text, /^velox_listener_packets_total\{loadbalancer="lb-1",listener="l1",direction="in"\} 3$/m);
  t.match(text, /^velox_listener_bytes_total\{loadbalancer="lb-1",listener="l1",direction="out"\} 200$/m);
  t.match(text, /^velox_listener_connections_total\{loadbalancer="lb-1",listener="l1"\} 1$/m);
  t.match(
    text,
    /^velox_member_packets_total\{loadbalancer="lb-1",pool="p1",member="m1",direction="out"\} 2$/m,
  );
  t.match(text, /^velox_member_connections_total\{loadbalancer="lb-1",pool="p1",member="m1"\} 1$/m);
  t.match(text, /^velox_xdp_exit_packets_total\{reason="redirect"\} 7$/m);
  t.match(text, /^velox_listener_active_connections\{loadbalancer="lb-1",listener="l1"\} 4$/m);
  t.match(text, /^velox_member_active_connections\{loadbalancer="lb-1",pool="p1",member="m1"\} 4$/m);
  t.match(text, /^velox_listener_drops_total\{loadbalancer="lb-1",listener="l1",reason="CIDR"\} 5$/m);
  t.match(
    text,
    /^velox_member_drops_total\{loadbalancer="lb-1",pool="p1",member="m1",reason="NO_FLOW"\} 1$/m,
  );
  t.match(text, /^velox_member_status\{loadbalancer="lb-1",pool="p1",member="m2",status="ERROR"\} 1$/m);
  t.match(text, /^velox_pool_status\{loadbalancer="lb-1",pool="p1",status="DEGRADED"\} 1$/m);
  t.match(text, /^velox_listener_status\{loadbalancer="lb-1",listener="l1",status="ONLINE"\} 1$/m);
  t.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
});
