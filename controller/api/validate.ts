// Checks of request values beyond what a schema can say, with Octavia's errors.
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { VeloxError } from '../errors.js';
import { parseCidr, intToIp } from '../drivers/network/ipv4.js';
import {
  ALPN_PROTOCOLS,
  DATAGRAM_PROTOCOLS,
  LISTENER_PROTOCOLS_SUPPORTING_HEADER_INSERTION,
  SUPPORTED_HTTP_HEADERS,
  SUPPORTED_SSL_HEADERS,
  TLS_VERSIONS,
  VALID_LISTENER_POOL_PROTOCOLS,
} from './protocol-rules.js';
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

/** Python's repr of a list of strings, as Octavia's messages show lists: ['a', 'b']. */
export function pyList(items: readonly string[]): string {
  const one = (v: string) =>
    v.includes("'") && !v.includes('"')
      ? `"${v.replace(/\\/g, '\\\\')}"`
      : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `[${items.map(one).join(', ')}]`;
}

/** A listener of `listenerProtocol` may use a pool of `poolProtocol` (as its default or L7 target). */
export function checkListenerPoolProtocol(listenerProtocol: string, poolProtocol: string): void {
  if (!(VALID_LISTENER_POOL_PROTOCOLS[listenerProtocol] ?? []).includes(poolProtocol)) {
    throw new VeloxError('ValidationException', {
      detail: `The pool protocol '${poolProtocol}' is invalid while the listener protocol is '${listenerProtocol}'.`,
    });
  }
}

/**
 * Octavia's header-insertion rules. `shown` is how Octavia prints the header names in
 * its message: dict_keys([...]) on create, a plain list on update.
 */
export function checkInsertHeaders(headers: string[], protocol: string, shown: 'create' | 'update'): void {
  if (!LISTENER_PROTOCOLS_SUPPORTING_HEADER_INSERTION.includes(protocol)) {
    throw new VeloxError('InvalidOption', {
      value: 'insert-headers',
      option: `a ${protocol} protocol listener.`,
    });
  }
  const known = [...SUPPORTED_HTTP_HEADERS, ...SUPPORTED_SSL_HEADERS];
  if (headers.some((h) => !known.includes(h))) {
    const list = pyList(headers);
    throw new VeloxError('InvalidOption', {
      value: shown === 'create' ? `dict_keys(${list})` : list,
      option: 'insert_headers',
    });
  }
  const ssl = headers.filter((h) => SUPPORTED_SSL_HEADERS.includes(h));
  if (protocol !== 'TERMINATED_HTTPS' && ssl.length) {
    throw new VeloxError('InvalidOption', { value: pyList(ssl), option: `${protocol} protocol listener.` });
  }
}

const VALID_CIPHER = /^[A-Za-z0-9\-+!:@=_.]+$/;

/** Only the characters OpenSSL cipher strings use (no administrator prohibit list yet). */
export function checkCipherString(ciphers: string): void {
  if (!VALID_CIPHER.test(ciphers)) {
    throw new VeloxError('ValidationException', {
      detail:
        'Invalid characters in cipher string. Only alphanumeric, -, +, !, :, @, =, _, and . are allowed.',
    });
  }
}

/** undefined: not given (nothing to check); null: unset (the default applies). */
export function checkTlsVersions(versions: string[] | null | undefined): void {
  if (versions === undefined || versions === null) return;
  if (versions.length === 0) {
    throw new VeloxError('ValidationException', {
      detail:
        'Empty TLS version list. Either specify at least one TLS version or remove this parameter to use the default.',
    });
  }
  const invalid = versions.filter((v) => !TLS_VERSIONS.includes(v));
  if (invalid.length) {
    throw new VeloxError('ValidationException', { detail: `Invalid TLS versions: ${invalid.join(', ')}` });
  }
  // Ours, not Octavia's: the amphora serves versions as one min..max range (TLS negotiates
  // within a range; HAProxy would warn and allow a left-out version), so a gap is refused
  // here rather than failing the load balancer later.
  const at = versions.map((v) => TLS_VERSIONS.indexOf(v));
  const [lo, hi] = [Math.min(...at), Math.max(...at)];
  const gap = TLS_VERSIONS.slice(lo, hi + 1).filter((v) => !versions.includes(v));
  if (gap.length) {
    throw new VeloxError('ValidationException', {
      detail: `TLS versions must be a contiguous range: ${gap.join(', ')} left out between ${TLS_VERSIONS[lo]} and ${TLS_VERSIONS[hi]}`,
    });
  }
}

/** The ALPN list's type (wsme's AlpnProtocolType): checked for every protocol, whenever given. */
export function checkAlpnValues(protocols: string[] | null | undefined): void {
  if (!protocols || protocols.every((p) => ALPN_PROTOCOLS.includes(p))) return;
  throw new VeloxError('InvalidInput', {
    field: 'alpn_protocols',
    value: pyList(protocols),
    reason: 'Value should be a valid ALPN protocol ID',
  });
}

/** The ALPN list of a TLS listener or pool. */
export function checkAlpnProtocols(protocols: string[] | null | undefined): void {
  if (protocols === undefined || protocols === null) return;
  if (protocols.length === 0) {
    throw new VeloxError('ValidationException', {
      detail:
        'Empty ALPN protocol list. Either specify at least one ALPN protocol or remove this parameter to use the default.',
    });
  }
  checkAlpnValues(protocols);
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

/** Octavia's session persistence rules (pool POST and PUT differ in one message). */
export function checkSessionPersistence(
  sp: SessionPersistence,
  protocol: string,
  on: 'create' | 'update',
): void {
  if (DATAGRAM_PROTOCOLS.includes(protocol)) {
    if (sp.type === 'SOURCE_IP' && sp.cookie_name) {
      throw new VeloxError('ValidationException', {
        detail:
          'session_persistence SOURCE_IP type for UDP and SCTP protocols only accepts: type, persistence_timeout, persistence_granularity.',
      });
    }
    if (sp.cookie_name) {
      throw new VeloxError('ValidationException', {
        detail: 'Cookie names are not supported for UDP/SCTP pools.',
      });
    }
    if (sp.type === 'HTTP_COOKIE' || sp.type === 'APP_COOKIE') {
      throw new VeloxError('ValidationException', {
        detail: `Session persistence of type ${sp.type} is not supported for UDP/SCTP protocol pools.`,
      });
    }
  } else if (sp.persistence_timeout || sp.persistence_granularity) {
    throw new VeloxError('ValidationException', {
      detail: `persistence_timeout and persistence_granularity is only for ${on === 'create' ? 'UDP and SCTP' : 'UDP'} protocol pools.`,
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
}
