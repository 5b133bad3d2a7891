// What HTTP listeners and their backends add to TCP mode, with Octavia's semantics
// (octavia/common/jinja/haproxy/combined_listeners/templates/macros.j2): insert_headers
// (with the X-SSL-* client-certificate ones of TERMINATED_HTTPS), cookie session persistence.
import type { Listener__Output } from '../grpc/gen/velox/agent/v1/Listener.js';
import type { Pool__Output } from '../grpc/gen/velox/agent/v1/Pool.js';
import type { SessionPersistence__Output } from '../grpc/gen/velox/agent/v1/SessionPersistence.js';
import { HaproxyConfigError } from './errors.js';
import { cookieNameToken } from './tokens.js';

// Octavia's SUPPORTED_HTTP_HEADERS, and the client-certificate ones of TERMINATED_HTTPS.
const HTTP_HEADERS = ['X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto'];
const TLS_HEADERS = [
  'X-SSL-Client-Verify',
  'X-SSL-Client-Has-Cert',
  'X-SSL-Client-DN',
  'X-SSL-Client-CN',
  'X-SSL-Issuer',
  'X-SSL-Client-SHA1',
  'X-SSL-Client-Not-Before',
  'X-SSL-Client-Not-After',
];
// The HAProxy fetch each client-certificate header carries, written as Octavia's backend_macro
// writes it. HAProxy 2.6 applies the %{+Q} quoting in logs only: members get the bare value
// (tls-termination.test.ts checks what they see).
const TLS_HEADER_VALUES: Record<string, string> = {
  'X-SSL-Client-Verify': '%[ssl_c_verify]',
  'X-SSL-Client-Has-Cert': '%[ssl_c_used]',
  'X-SSL-Client-DN': '%{+Q}[ssl_c_s_dn]',
  'X-SSL-Client-CN': '%{+Q}[ssl_c_s_dn(cn)]',
  'X-SSL-Issuer': '%{+Q}[ssl_c_i_dn]',
  'X-SSL-Client-SHA1': '%{+Q}[ssl_c_sha1,hex]',
  'X-SSL-Client-Not-Before': '%{+Q}[ssl_c_notbefore]',
  'X-SSL-Client-Not-After': '%{+Q}[ssl_c_notafter]',
};
const APP_COOKIE_TABLE = 'stick-table type string len 64 size 10k'; // Octavia's, cookie values cut at 64
const HTTP_COOKIE_NAME = 'SRV'; // Octavia's: HTTP_COOKIE takes no cookie_name

/** Octavia reads a header as inserted when its value is "true" in any case. */
function wanted(l: Listener__Output, header: string): boolean {
  return (l.insert_headers[header] ?? '').toLowerCase() === 'true';
}

/** Refuses header names Octavia does not know; TLS ones only mean something with TLS termination. */
export function checkInsertHeaders(l: Listener__Output, path: string): void {
  for (const name of Object.keys(l.insert_headers)) {
    if (!HTTP_HEADERS.includes(name) && !TLS_HEADERS.includes(name)) {
      throw new HaproxyConfigError(
        `${JSON.stringify(name)} is not one of ${[...HTTP_HEADERS, ...TLS_HEADERS].join(', ')}`,
        `${path}.insert_headers`,
      );
    }
  }
}

/** Backend lines for the listener's insert_headers (names checked by checkInsertHeaders). */
export function insertHeaderLines(l: Listener__Output, pool: Pool__Output): string[] {
  const lines: string[] = [];
  // As Octavia: For and Port only towards HTTP pools (a PROXY pool gets the addresses in its header).
  if (pool.protocol === 'HTTP') {
    if (wanted(l, 'X-Forwarded-For')) lines.push('option forwardfor');
    if (wanted(l, 'X-Forwarded-Port')) lines.push('http-request set-header X-Forwarded-Port %[dst_port]');
  }
  if (wanted(l, 'X-Forwarded-Proto')) {
    if (l.protocol === 'HTTP') lines.push('http-request set-header X-Forwarded-Proto http');
    if (l.protocol === 'TERMINATED_HTTPS') lines.push('http-request set-header X-Forwarded-Proto https');
  }
  // Client-certificate headers only where TLS ends here, in Octavia's order.
  if (l.protocol === 'TERMINATED_HTTPS') {
    for (const name of TLS_HEADERS) {
      if (wanted(l, name)) lines.push(`http-request set-header ${name} ${TLS_HEADER_VALUES[name]}`);
    }
  }
  return lines;
}

/**
 * HTTP_COOKIE: HAProxy inserts a cookie naming the member (the response is marked not
 * cacheable). APP_COOKIE: the member's own cookie (cookie_name) is learnt from responses
 * and requests carrying it go back to the member that set it.
 */
export function cookiePersistenceLines(
  sp: SessionPersistence__Output,
  expireSeconds: number,
  path: string,
): string[] {
  if (sp.type === 'HTTP_COOKIE') return [`cookie ${HTTP_COOKIE_NAME} insert indirect nocache`];
  if (!sp.cookie_name) throw new HaproxyConfigError('APP_COOKIE needs a cookie_name', `${path}.cookie_name`);
  const name = cookieNameToken(sp.cookie_name, `${path}.cookie_name`);
  return [
    `${APP_COOKIE_TABLE} expire ${expireSeconds}s`,
    `stick store-response res.cook(${name})`,
    `stick match req.cook(${name})`,
  ];
}

/** The server option that names the member in the HTTP_COOKIE cookie (member ids are name tokens). */
export function httpCookieOption(memberId: string): string[] {
  return [`cookie ${memberId}`];
}
