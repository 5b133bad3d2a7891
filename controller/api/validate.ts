// Checks of request values beyond what a schema can say, with Octavia's errors.
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { VeloxError } from '../errors.js';
import { parseCidr, intToIp } from '../drivers/network/ipv4.js';
import { SupportedProtocols } from './schemas/common.js';
import type { SessionPersistence } from './schemas/pool.js';

/** Octavia's networking.reserved_ips default: never a member. */
const RESERVED_IPS = ['169.254.169.254'];

export function checkIpAddress(field: string, value: string): void {
  if (!isIP(value)) {
    throw new VeloxError('InvalidInput', { field, value, reason: 'Value should be IPv4 or IPv6 format' });
  }
}

export function checkMemberAddress(address: string): void {
  checkIpAddress('address', address);
  if (RESERVED_IPS.includes(address)) {
    throw new VeloxError('InvalidOption', { value: address, option: 'member address' });
  }
}

export function checkSupportedProtocol(protocol: string): void {
  if (!SupportedProtocols.includes(protocol)) {
    throw new VeloxError('DisabledOption', { option: 'protocol', value: protocol });
  }
}

/** Normalised CIDRs (as Python's ip_network(strict=False)), all of the VIP's family. */
export function normaliseAllowedCidrs(cidrs: string[], vipAddress: string): string[] {
  return cidrs.map((cidr) => {
    const [addr, len] = cidr.split('/');
    const v6 =
      addr !== undefined && isIPv6(addr) && len !== undefined && Number(len) >= 0 && Number(len) <= 128;
    const v4 = addr !== undefined && isIPv4(addr) && (len === undefined || /^\d+$/.test(len));
    if (!v4 && !v6) {
      throw new VeloxError('InvalidInput', {
        field: 'allowed_cidrs',
        value: cidr,
        reason: 'Value should be IPv4 or IPv6 CIDR format',
      });
    }
    if (v6 !== isIPv6(vipAddress)) {
      throw new VeloxError('ValidationException', {
        detail: `CIDR ${cidr} IP version incompatible with VIP ${vipAddress} IP version.`,
      });
    }
    if (v6) return cidr;
    let parsed;
    try {
      parsed = parseCidr(`${addr}/${len ?? '32'}`);
    } catch {
      throw new VeloxError('InvalidInput', {
        field: 'allowed_cidrs',
        value: cidr,
        reason: 'Value should be IPv4 or IPv6 CIDR format',
      });
    }
    return `${intToIp(parsed.network)}/${parsed.prefix}`;
  });
}

/** Octavia's session persistence rules, plus: only SOURCE_IP on the XDP fast path. */
export function checkSessionPersistence(sp: SessionPersistence, protocol: string): void {
  if (protocol === 'UDP') {
    if (sp.cookie_name) {
      throw new VeloxError('ValidationException', {
        detail: 'Cookie names are not supported for UDP/SCTP pools.',
      });
    }
    if (sp.type !== 'SOURCE_IP') {
      throw new VeloxError('ValidationException', {
        detail: `Session persistence of type ${sp.type} is not supported for UDP/SCTP protocol pools.`,
      });
    }
  } else if (sp.persistence_timeout || sp.persistence_granularity) {
    throw new VeloxError('ValidationException', {
      detail: 'persistence_timeout and persistence_granularity is only for UDP and SCTP protocol pools.',
    });
  }
  if (sp.cookie_name && sp.type !== 'APP_COOKIE') {
    throw new VeloxError('ValidationException', {
      detail: 'Field "cookie_name" can only be specified with session persistence of type "APP_COOKIE".',
    });
  }
  if (sp.type === 'APP_COOKIE' && !sp.cookie_name) {
    throw new VeloxError('ValidationException', {
      detail: 'Field "cookie_name" must be specified when using the "APP_COOKIE" session persistence type.',
    });
  }
  if (sp.persistence_granularity) checkIpAddress('persistence_granularity', sp.persistence_granularity);
  if (sp.type !== 'SOURCE_IP') {
    throw new VeloxError('DisabledOption', { option: 'session_persistence type', value: sp.type });
  }
}

/** The provider names clients use for the default driver. */
export const PROVIDER = 'velox';
export const PROVIDER_ALIASES = ['velox', 'octavia', 'amphora'];

export function checkProvider(requested: string | null | undefined): string {
  if (requested === undefined || requested === null || PROVIDER_ALIASES.includes(requested)) return PROVIDER;
  throw new VeloxError('ProviderNotEnabled', { prov: requested });
}
