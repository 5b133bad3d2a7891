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
  /** `${net(n)}.x` is host x on network n: 0 management, 1 public, 2 private. */
  net: (n: number) => string;
  /** `${net6(n)}::x` is host x on the IPv6 subnet of network n (1 public, 2 private). */
  net6: (n: number) => string;
  bridges: { public: string; private: string };
}

export interface Addressing {
  /** First two octets of the IPv4 /24s (default `172.<octet>`). */
  v4?: string;
  /** The IPv6 /48 the /64s come from, as its first three groups (default `fd00:172:<octet>`). */
  v6?: string;
}

/**
 * prefix: 3 letters starting with vx; octet: second octet of 172.<octet>.<n>.0/24 and third
 * group of fd00:172:<octet>:<n>::/64 (the defaults mirror `make run`'s 172.30 / fd00:172:30),
 * unless `addressing` names other ranges.
 */
export function localCloud(
  prefix: string,
  octet: number,
  apiPort: number,
  healthPort: number,
  stateDir: string,
  addressing: Addressing = {},
): LocalCloud {
  const v4 = addressing.v4 ?? `172.${octet}`;
  const v6 = addressing.v6 ?? `fd00:172:${octet}`;
  const net = (n: number) => `${v4}.${n}`;
  const net6 = (n: number) => `${v6}:${n}`;
  const bridges = { public: `${prefix}public`, private: `${prefix}private` };
  const tenant = (name: 'public' | 'private', n: number) => ({
    name,
    subnetName: `${name}-subnet`,
    cidr: `${net(n)}.0/24`,
    gatewayIp: `${net(n)}.1`,
    bridge: bridges[name],
    ipv6: { subnetName: `${name}-subnet-v6`, cidr: `${net6(n)}::/64`, gatewayIp: `${net6(n)}::1` },
  });
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
        tenant: [tenant('public', 1), tenant('private', 2)],
      },
    },
    '',
  );
  return { config, net, net6, bridges };
}
