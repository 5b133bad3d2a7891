// Octavia's health monitor rules (api/v2/types/health_monitor.py and
// controllers/health_monitor.py), with its errors: value ranges and formats in
// wsme's words, which attributes each type takes, its defaults, and which types a
// UDP or SCTP pool accepts.
import { VeloxError } from '../errors.js';
import type { HealthMonitorPost, HealthMonitorPut } from './schemas/health-monitor.js';

const MIN_RETRIES = 1;
const MAX_RETRIES = 10;
export const DEFAULT_MAX_RETRIES_DOWN = 3;
export const HTTP_DEFAULTS = { http_method: 'GET', url_path: '/', expected_codes: '200' } as const;
/** Octavia's api_settings.udp_connect_min_interval_health_monitor default. */
const UDP_CONNECT_MIN_DELAY = 3;
const HTTP_TYPES = ['HTTP', 'HTTPS'];
const HTTP_FIELDS = ['http_method', 'url_path', 'expected_codes'] as const;
/** The types a UDP or SCTP pool accepts, in Octavia's order. */
const UDP_SCTP_TYPES = ['UDP-CONNECT', 'SCTP', 'TCP', 'HTTP'];

// Octavia's patterns, as its errors print them (Python syntax, valid in JS too).
const EXPECTED_CODES_PATTERN = '^(\\d{3}(\\s*,\\s*\\d{3})*)$|^(\\d{3}-\\d{3})$';
const DOMAIN_NAME_PATTERN = '^(?=.{1,253}\\.?$)(?:(?!-|[^.]+_)[A-Za-z0-9-_]{1,63}(?<!-)(?:\\.|$))+$';

type Body = HealthMonitorPost | HealthMonitorPut;

function invalid(field: string, value: unknown, reason: string): VeloxError {
  return new VeloxError('InvalidInput', { field, value: String(value), reason });
}

/** A float as Python prints it: 1 -> 1.0. */
function pyFloat(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

function checkRange(field: string, value: number | null | undefined, min: number, max?: number): void {
  if (value === null || value === undefined) return;
  if (value < min) throw invalid(field, value, `Value should be greater or equal to ${min}`);
  if (max !== undefined && value > max)
    throw invalid(field, value, `Value should be lower or equal to ${max}`);
}

/** Octavia's validate.url_path: an absolute path (query and fragment allowed), no whitespace. */
export function isUrlPath(value: string): boolean {
  if (/\s/u.test(value)) return false;
  let rest = value;
  if (rest.startsWith('//')) {
    // A network-path reference: allowed only with an empty authority.
    const end = rest.slice(2).search(/[/?#]/);
    const authority = end === -1 ? rest.slice(2) : rest.slice(2, 2 + end);
    if (authority !== '') return false;
    rest = end === -1 ? '' : rest.slice(2 + end);
  }
  const path = rest.split(/[?#]/, 1)[0] ?? '';
  // Brackets are the only characters a path may not hold that are not percent-encoded first.
  return path.startsWith('/') && !/[[\]]/.test(path);
}

/** The ranges and formats wsme checks on POST and PUT bodies. */
export function checkValues(body: Body): void {
  checkRange('delay', body.delay, 0);
  checkRange('timeout', body.timeout, 0);
  checkRange('max_retries_down', body.max_retries_down, MIN_RETRIES, MAX_RETRIES);
  checkRange('max_retries', body.max_retries, MIN_RETRIES, MAX_RETRIES);
  if (typeof body.url_path === 'string' && !isUrlPath(body.url_path)) {
    throw invalid('url_path', body.url_path, 'Value must be a valid URL Path string');
  }
  if (
    typeof body.expected_codes === 'string' &&
    !new RegExp(EXPECTED_CODES_PATTERN).test(body.expected_codes)
  ) {
    throw invalid(
      'expected_codes',
      body.expected_codes,
      `Value should match the pattern ${EXPECTED_CODES_PATTERN}`,
    );
  }
  if (typeof body.http_version === 'number' && body.http_version !== 1 && body.http_version !== 1.1) {
    throw invalid('http_version', pyFloat(body.http_version), 'Value should be one of: 1.0, 1.1');
  }
  const domain = body.domain_name;
  if (typeof domain === 'string') {
    if (domain.length < 1)
      throw invalid('domain_name', domain, 'Value should have a minimum character requirement of 1');
    if (domain.length > 255) {
      throw invalid('domain_name', domain, 'Value should have a maximum character requirement of 255');
    }
    if (!new RegExp(DOMAIN_NAME_PATTERN).test(domain)) {
      throw invalid('domain_name', domain, `Value should match the pattern ${DOMAIN_NAME_PATTERN}`);
    }
  }
}

/** The types a pool's protocol allows, and UDP-CONNECT's minimum delay. */
export function checkPoolProtocol(type: string | null, delay: number | null, poolProtocol: string): void {
  if (poolProtocol === 'UDP' || poolProtocol === 'SCTP') {
    if (type === null || !UDP_SCTP_TYPES.includes(type)) {
      throw new VeloxError('ValidationException', {
        detail: `The associated pool protocol is ${poolProtocol}, so only a ${UDP_SCTP_TYPES.join('/')} health monitor is supported.`,
      });
    }
    if (type === 'UDP-CONNECT' && delay !== null && delay < UDP_CONNECT_MIN_DELAY) {
      throw new VeloxError('ValidationException', {
        detail: `The request delay value ${delay} should be larger than ${UDP_CONNECT_MIN_DELAY} for UDP-CONNECT health monitor type.`,
      });
    }
  } else if (type === 'UDP-CONNECT' || type === 'SCTP') {
    throw new VeloxError('ValidationException', {
      detail: `The ${type} type is only supported for pools of type UDP/SCTP.`,
    });
  }
}

function notForType(field: string, type: string): VeloxError {
  return new VeloxError('InvalidOption', { value: field, option: `health monitors of type ${type}` });
}

function checkDomainName(
  httpVersion: number | null | undefined,
  domainName: string | null | undefined,
): void {
  if (domainName && !httpVersion) {
    throw new VeloxError('ValidationException', {
      detail: "'http_version' must be specified when 'domain_name' is provided.",
    });
  }
  if (domainName && httpVersion && httpVersion < 1.1) {
    throw new VeloxError('InvalidOption', {
      value: `http_version ${pyFloat(httpVersion)}`,
      option: 'health monitors HTTP 1.1 domain name health check',
    });
  }
}

export interface CreateValues {
  type: string;
  delay: number;
  timeout: number;
  max_retries: number;
  http_method: string | null;
  url_path: string | null;
  expected_codes: string | null;
}

/**
 * Octavia's _validate_create_hm: mandatory values not null, HTTP attributes only
 * on HTTP/HTTPS monitors (which get their defaults), domain_name needs HTTP/1.1.
 */
export function createValues(body: HealthMonitorPost): CreateValues {
  for (const field of ['type', 'delay', 'timeout', 'max_retries'] as const) {
    if (body[field] === null) throw new VeloxError('InvalidOption', { value: 'None', option: field });
  }
  const type = body.type!;
  const http = HTTP_TYPES.includes(type);
  if (!http) {
    for (const field of HTTP_FIELDS) if (body[field]) throw notForType(field, type);
  }
  checkDomainName(body.http_version, body.domain_name);
  return {
    type,
    delay: body.delay!,
    timeout: body.timeout!,
    max_retries: body.max_retries!,
    http_method: body.http_method || (http ? HTTP_DEFAULTS.http_method : null),
    url_path: body.url_path || (http ? HTTP_DEFAULTS.url_path : null),
    expected_codes: body.expected_codes || (http ? HTTP_DEFAULTS.expected_codes : null),
  };
}

export interface StoredMonitor {
  type: string;
  http_version: number | null;
  domain_name: string | null;
}

/** Octavia's _validate_update_hm: what a PUT may change on a monitor of this type. */
export function checkUpdate(stored: StoredMonitor, body: HealthMonitorPut): void {
  if (!HTTP_TYPES.includes(stored.type)) {
    for (const field of HTTP_FIELDS) if (body[field] !== undefined) throw notForType(field, stored.type);
  }
  for (const field of ['delay', 'max_retries', 'timeout'] as const) {
    if (body[field] === null) throw new VeloxError('InvalidOption', { value: 'None', option: field });
  }
  // The given value, else the stored one (Octavia's `new or old`).
  const version = body.http_version || stored.http_version;
  if (body.domain_name) checkDomainName(version, body.domain_name);
  else if (stored.domain_name && version) checkDomainName(version, stored.domain_name);
}
