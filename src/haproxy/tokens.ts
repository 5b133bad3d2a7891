// Every value that reaches haproxy.cfg passes through one of these checks, so no input can
// add a keyword, a line or a comment to the file. Each returns the token as it is written.
import { isIP, isIPv4 } from 'node:net';
import { HaproxyConfigError } from './errors.js';

// HAProxy's proxy/server name alphabet, minus ':' which we use to join pool and listener ids.
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;
// RFC 3986 path and query characters, without quotes, backslash, '#' and whitespace.
const URL_PATH = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@%/?]{0,1023}$/;
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const CODES = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;
const HTTP_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'TRACE',
  'OPTIONS',
  'PATCH',
  'CONNECT',
]);
// A path in the agent's own run directory: no whitespace or characters haproxy.cfg interprets.
const FILE_PATH = /^\/[A-Za-z0-9_.\-/]{1,200}$/;

function bad(path: string, what: string, value: unknown): never {
  throw new HaproxyConfigError(`not ${what}: ${JSON.stringify(value)}`, path);
}

/** An object id used as a proxy or server name. */
export function nameToken(value: string, path: string): string {
  return NAME.test(value) ? value : bad(path, 'an id usable as an HAProxy name ([A-Za-z0-9_.-])', value);
}

/** An IP address as HAProxy wants it after `addr` or before `:port` (IPv6 in brackets). */
export function addressToken(value: string, path: string): string {
  const family = isIP(value);
  if (!family) bad(path, 'an IP address', value);
  return family === 6 ? `[${value}]` : value;
}

export function portToken(value: number, path: string): string {
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? String(value) : bad(path, 'a port', value);
}

export function cidrToken(value: string, path: string): string {
  const [addr = '', len, extra] = value.split('/');
  const family = isIP(addr);
  const ok = family && extra === undefined && len !== undefined && /^\d{1,3}$/.test(len);
  if (!ok || Number(len) > (family === 4 ? 32 : 128)) bad(path, 'an address in CIDR form', value);
  return value;
}

export function filePathToken(value: string, path: string): string {
  return FILE_PATH.test(value) && !value.includes('..') ? value : bad(path, 'a plain absolute path', value);
}

/** A URL path, single-quoted: HAProxy interprets nothing inside single quotes. */
export function urlPathToken(value: string, path: string): string {
  return URL_PATH.test(value) ? `'${value}'` : bad(path, 'an absolute URL path', value);
}

export function hostnameToken(value: string, path: string): string {
  return HOSTNAME.test(value) ? value : bad(path, 'a host name', value);
}

export function httpMethodToken(value: string, path: string): string {
  return HTTP_METHODS.has(value) ? value : bad(path, 'an HTTP method', value);
}

/** Octavia's expected_codes ("200", "200,202", "200-204") as an anchored regex for `http-check expect rstatus`. */
export function expectedCodesToken(text: string, path: string): string {
  const value = text.replace(/\s+/g, '') || '200';
  if (!CODES.test(value)) bad(path, 'status codes like 200, 200,202 or 200-204', value);
  const codes: number[] = [];
  for (const part of value.split(',')) {
    const [lo = 0, hi = lo] = part.split('-').map(Number);
    if (lo < 100 || hi > 599 || hi < lo) bad(path, 'status codes in 100..599', value);
    for (let c = lo; c <= hi; c++) codes.push(c);
  }
  return `^(${[...new Set(codes)].join('|')})$`;
}

/** A netmask ("255.255.255.0" or an IPv6 mask) as a prefix length and family, for `ipmask()`. */
export function netmaskPrefix(value: string, path: string): { family: 4 | 6; bits: number } {
  const family = isIP(value);
  if (!family) bad(path, 'a netmask', value);
  const bytes = isIPv4(value) ? value.split('.').map(Number) : ipv6Bytes(value);
  const bits = bytes.map((b) => b.toString(2).padStart(8, '0')).join('');
  if (!/^1*0*$/.test(bits)) bad(path, 'a contiguous netmask', value);
  return { family: family as 4 | 6, bits: bits.indexOf('0') === -1 ? bits.length : bits.indexOf('0') };
}

function ipv6Bytes(value: string): number[] {
  const [head = '', tail] = value.split('::');
  const groups = (s: string): string[] => (s ? s.split(':') : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

// RFC 7230 token characters without the ones haproxy.cfg reads specially (' " # $ % \).
const FIELD_NAME = /^[A-Za-z0-9!&*+\-.^_`|~]{1,256}$/;
// Certificate DN field names: "CN", "emailAddress", or an OID like 2.5.4.3.
const DN_FIELD = /^[A-Za-z0-9.]{1,64}$/;
// No control characters: they would end the line or mean nothing to HAProxy.
// eslint-disable-next-line no-control-regex -- matching them is the point
const CONTROL = /[\x00-\x1f\x7f]/;
// An absolute http(s) URL of RFC 3986 characters (no quotes, backslash or whitespace).
const URL = /^https?:\/\/[A-Za-z0-9\-._~!$&()*+,;=:@%/?#[\]]{1,2040}$/;

/** A header name (L7 rule key) usable inside `req.hdr(...)`. */
export function headerNameToken(value: string, path: string): string {
  return FIELD_NAME.test(value) ? value : bad(path, 'a header name', value);
}

/** A cookie name usable inside `req.cook(...)` / `res.cook(...)`. */
export function cookieNameToken(value: string, path: string): string {
  return FIELD_NAME.test(value) ? value : bad(path, 'a cookie name', value);
}

export function dnFieldToken(value: string, path: string): string {
  return DN_FIELD.test(value) ? value : bad(path, 'a certificate DN field name', value);
}

/**
 * Any text without control characters as one single-quoted word: HAProxy interprets nothing
 * inside single quotes, and a quote in the text closes, adds an escaped quote and reopens
 * ('it'\''s'), which HAProxy joins into one word.
 */
export function quotedToken(value: string, path: string, what = 'text without control characters'): string {
  if (value === '' || CONTROL.test(value)) bad(path, what, value);
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** A redirect target, single-quoted (written as is into Location by `redirect`). */
export function urlToken(value: string, path: string): string {
  return URL.test(value) ? `'${value}'` : bad(path, 'an absolute http(s) URL', value);
}
