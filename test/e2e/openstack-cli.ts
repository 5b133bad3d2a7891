// The real `openstack loadbalancer` CLI pointed at a controller on loopback with noauth: a
// clouds.yaml in the test's state directory, the endpoints overridden to the controller.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `openstack loadbalancer <args>` and returns its stdout. */
export function loadbalancerCli(stateDir: string, port: number): (...args: string[]) => Promise<string> {
  const clouds = join(stateDir, 'clouds.yaml');
  writeFileSync(
    clouds,
    [
      'clouds:',
      '  velox:',
      '    auth_type: none',
      '    auth:',
      `      endpoint: http://127.0.0.1:${port}`,
      `    load_balancer_endpoint_override: http://127.0.0.1:${port}/`,
      `    network_endpoint_override: http://127.0.0.1:${port}/`,
      '    region_name: RegionOne',
      '',
    ].join('\n'),
  );
  const env = {
    ...process.env,
    OS_CLIENT_CONFIG_FILE: clouds,
    OS_CLOUD: 'velox',
    PATH: `/usr/bin:${process.env.PATH}`,
  };
  return async (...args: string[]) =>
    (await run('/usr/bin/openstack', ['loadbalancer', ...args], { env, timeout: 120_000 })).stdout;
}
