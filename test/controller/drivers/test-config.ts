// The controller config of H5's tests: prefix vxw, bridges vxwmgmt/vxwpub/vxwpriv,
// subnets 172.29.0-2.0/24, state in a fresh temporary folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controllerConfig, type ControllerConfig } from '../../../controller/config.js';

export function testConfig(): ControllerConfig {
  const stateDir = mkdtempSync(join(tmpdir(), 'velox-h5-'));
  return controllerConfig(
    {
      stateDir,
      database: { driver: 'sqlite', path: ':memory:' },
      api: { host: '127.0.0.1', port: 0 },
      health: { port: 25555, heartbeatIntervalMs: 300, staleAfterMs: 3000 },
      network: {
        prefix: 'vxw',
        management: {
          name: 'vxw-mgmt-net',
          subnetName: 'vxw-mgmt-subnet',
          cidr: '172.29.0.0/24',
          gatewayIp: '172.29.0.1',
          bridge: 'vxwmgmt',
        },
        tenant: [
          {
            name: 'vxw-public',
            subnetName: 'vxw-public-subnet',
            cidr: '172.29.1.0/24',
            gatewayIp: '172.29.1.1',
            bridge: 'vxwpub',
          },
          {
            name: 'vxw-private',
            subnetName: 'vxw-private-subnet',
            cidr: '172.29.2.0/24',
            gatewayIp: '172.29.2.1',
            bridge: 'vxwpriv',
          },
        ],
      },
      worker: { pollMs: 50, leaseMs: 30_000, provisionTimeoutMs: 20_000 },
    },
    '', // never read VELOX_CONFIG in tests
  );
}

/** Fails (never skips) when the test cannot make namespaces. */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('this test needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN)');
  execFileSync('ip', ['netns', 'list']);
}

/** Everything on the host whose name carries the test prefix. */
export function leftovers(): { netns: string[]; links: string[] } {
  const netns = (
    JSON.parse(execFileSync('ip', ['-j', 'netns', 'list'], { encoding: 'utf8' }) || '[]') as {
      name: string;
    }[]
  )
    .map((n) => n.name)
    .filter((n) => n.startsWith('vxw'));
  const links = (
    JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[]
  )
    .map((l) => l.ifname)
    .filter((n) => n.startsWith('vxw'));
  return { netns, links };
}
