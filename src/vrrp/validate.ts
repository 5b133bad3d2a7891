// Semantic checks of the Vrrp part of an AmphoraConfig: everything renderKeepalived()
// writes must be a value keepalived reads as meant (no spaces, braces or quotes smuggled
// into its config), and the interfaces named must be the amphora's.
import { isIP } from 'node:net';
import type { AmphoraConfig__Output } from '../grpc/gen/velox/agent/v1/AmphoraConfig.js';
import type { Vrrp__Output } from '../grpc/gen/velox/agent/v1/Vrrp.js';
import { ConfigError } from '../config/config-error.js';

const ROLES = ['MASTER', 'BACKUP'];
const AUTH_PASS = /^[A-Za-z0-9._~+=-]{0,8}$/; // VRRPv2 PASS: up to 8 octets, no keepalived syntax

function range(value: number, min: number, max: number, path: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(path, `${value} is not in ${min}..${max}`);
  }
}

/** A CIDR; returns the address's family. */
function cidr(value: string, path: string): number {
  const [addr, len, extra] = value.split('/');
  const family = isIP(addr ?? '');
  if (!family || extra !== undefined || !/^\d+$/.test(len ?? '') || Number(len) > (family === 4 ? 32 : 128)) {
    throw new ConfigError(path, `not an address in CIDR form: ${JSON.stringify(value)}`);
  }
  return family;
}

/** Throws ConfigError naming the first bad field of `config.vrrp` (absent: nothing to check). */
export function validateVrrp(config: AmphoraConfig__Output): void {
  const v: Vrrp__Output | null = config.vrrp;
  if (!v) return;
  const ifnames = new Set(config.interfaces.map((i) => i.name));
  const iface = (name: string, path: string): void => {
    if (!ifnames.has(name))
      throw new ConfigError(path, `${JSON.stringify(name)} is not an interface of this config`);
  };
  if (!ROLES.includes(v.initial_role)) {
    throw new ConfigError(
      'vrrp.initial_role',
      `${JSON.stringify(v.initial_role)} is not one of MASTER, BACKUP`,
    );
  }
  range(v.vrrp_id, 1, 255, 'vrrp.vrrp_id');
  range(v.priority, 1, 254, 'vrrp.priority');
  iface(v.interface, 'vrrp.interface');
  const family = isIP(v.vrrp_ip);
  if (!family) throw new ConfigError('vrrp.vrrp_ip', `not an IP address: ${JSON.stringify(v.vrrp_ip)}`);
  if (v.peer_ips.length === 0) throw new ConfigError('vrrp.peer_ips', 'at least one peer is required');
  v.peer_ips.forEach((p, k) => {
    if (isIP(p) !== family) {
      throw new ConfigError(
        `vrrp.peer_ips[${k}]`,
        `not an IPv${family} address like vrrp_ip: ${JSON.stringify(p)}`,
      );
    }
    if (p === v.vrrp_ip) throw new ConfigError(`vrrp.peer_ips[${k}]`, "is this amphora's own vrrp_ip");
  });
  if (v.floating.length === 0)
    throw new ConfigError('vrrp.floating', 'at least one floating address (the VIP) is required');
  const seen = new Set<string>();
  v.floating.forEach((f, k) => {
    iface(f.interface, `vrrp.floating[${k}].interface`);
    cidr(f.address, `vrrp.floating[${k}].address`);
    const addr = f.address.split('/')[0]!;
    if (seen.has(addr)) throw new ConfigError(`vrrp.floating[${k}].address`, `duplicate address ${addr}`);
    seen.add(addr);
  });
  range(v.advert_int, 0, 255, 'vrrp.advert_int');
  range(v.check_interval, 0, 3600, 'vrrp.check_interval');
  range(v.fail_count, 0, 100, 'vrrp.fail_count');
  range(v.success_count, 0, 100, 'vrrp.success_count');
  range(v.garp_refresh_interval, 0, 3600, 'vrrp.garp_refresh_interval');
  if (!AUTH_PASS.test(v.auth_pass)) {
    throw new ConfigError('vrrp.auth_pass', 'up to 8 characters of letters, digits and ._~+=-');
  }
}
