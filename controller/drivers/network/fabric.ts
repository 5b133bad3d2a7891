// The host side of the local networks: one Linux bridge per configured network
// (management and tenant), up, holding the network's gateway addresses (IPv4, and
// IPv6 where the network has an IPv6 subnet). The host only terminates traffic on those
// addresses (controller health service, tests); it does not route between them, so
// ip_forward is left as it is.
import { existsSync } from 'node:fs';
import type { ControllerConfig, LocalNetworkConfig } from '../../config.js';
import { linkExists, run } from '../compute/host-command.js';
import { parseSubnetCidr } from './cidr.js';

const MAX_IFNAME = 15;

function prefixLength(cidr: string): number {
  return parseSubnetCidr(cidr).prefix;
}

export class NetworkFabric {
  private readonly networks: LocalNetworkConfig[];

  constructor(private readonly cfg: ControllerConfig['network']) {
    this.networks = [cfg.management, ...cfg.tenant];
    for (const n of this.networks) {
      // The prefix is what cleanup trusts, so refuse a bridge name outside it.
      if (!n.bridge.startsWith(cfg.prefix) || n.bridge.length > MAX_IFNAME) {
        throw new Error(`bridge ${n.bridge} must start with "${cfg.prefix}" and be <= ${MAX_IFNAME} chars`);
      }
    }
  }

  /** Creates the bridges that are missing and (re)asserts address and state. Idempotent. */
  async ensure(): Promise<void> {
    for (const n of this.networks) {
      if (!(await linkExists(n.bridge))) {
        await run('ip', ['link', 'add', 'name', n.bridge, 'type', 'bridge']);
      }
      await run('ip', ['addr', 'replace', `${n.gatewayIp}/${prefixLength(n.cidr)}`, 'dev', n.bridge]);
      if (n.ipv6) {
        if (!existsSync('/proc/sys/net/ipv6')) {
          throw new Error(`network ${n.name} has an IPv6 subnet, but IPv6 is disabled on this host`);
        }
        await run('sysctl', ['-q', '-w', `net.ipv6.conf.${n.bridge}.disable_ipv6=0`]);
        // Static addressing: no router advertisements taken, and the gateway usable at once
        // (no duplicate address detection, which would hold it tentative for a second).
        await run('sysctl', ['-q', '-w', `net.ipv6.conf.${n.bridge}.accept_ra=0`]);
        const gw = `${n.ipv6.gatewayIp}/${prefixLength(n.ipv6.cidr)}`;
        await run('ip', ['-6', 'addr', 'replace', gw, 'dev', n.bridge, 'nodad']);
      }
      await run('ip', ['link', 'set', 'dev', n.bridge, 'up']);
    }
  }

  /** Removes the configured bridges (amphorae must be gone first). Idempotent. */
  async teardown(): Promise<void> {
    for (const n of this.networks) {
      if (await linkExists(n.bridge)) await run('ip', ['link', 'del', 'dev', n.bridge]);
    }
  }

  bridgeOf(networkName: string): string {
    const n = this.networks.find((x) => x.name === networkName);
    if (!n) throw new Error(`unknown network ${networkName}`);
    return n.bridge;
  }
}
