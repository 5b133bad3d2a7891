// A controller configuration of its own (bridges, subnets, ports, state folder), so the
// demo, the benchmarks and the end-to-end tests can run beside `make run` and each other.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controllerConfig, type ControllerConfig } from '../../controller/config.js';

/** The package root, from scripts/lib (tests) or dist/scripts/lib (built). */
export function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(join('dist', 'scripts')) ? join(here, '..', '..', '..') : join(here, '..', '..');
}

export interface LocalCloud {
  config: ControllerConfig;
  /** `${octet(n)}.x` is host x on network n: 0 management, 1 public, 2 private. */
  net: (n: number) => string;
  bridges: { public: string; private: string };
}

/** prefix: 3 letters starting with vx; octet: second octet of 172.<octet>.<n>.0/24. */
export function localCloud(
  prefix: string,
  octet: number,
  apiPort: number,
  healthPort: number,
  stateDir: string,
): LocalCloud {
  const net = (n: number) => `172.${octet}.${n}`;
  const bridges = { public: `${prefix}public`, private: `${prefix}private` };
  const config = controllerConfig(
    {
      api: { host: '127.0.0.1', port: apiPort },
      database: { path: join(stateDir, 'velox.db') },
      stateDir,
      health: { port: healthPort },
      agent: { command: [process.execPath, join(packageRoot(), 'dist/src/main.js')] },
      network: {
        prefix,
        management: {
          name: 'lb-mgmt-net',
          subnetName: 'lb-mgmt-subnet',
          cidr: `${net(0)}.0/24`,
          gatewayIp: `${net(0)}.1`,
          bridge: `${prefix}mgmt`,
        },
        tenant: [
          {
            name: 'public',
            subnetName: 'public-subnet',
            cidr: `${net(1)}.0/24`,
            gatewayIp: `${net(1)}.1`,
            bridge: bridges.public,
          },
          {
            name: 'private',
            subnetName: 'private-subnet',
            cidr: `${net(2)}.0/24`,
            gatewayIp: `${net(2)}.1`,
            bridge: bridges.private,
          },
        ],
      },
    },
    '',
  );
  return { config, net, bridges };
}
