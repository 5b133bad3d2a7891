// Octavia's protocol tables (octavia/common/constants.py, octavia_lib constants and the
// api_settings defaults of octavia/common/config.py), in one place for the listener and
// pool routes (the protocol enums themselves are in schemas/common.ts).

/** Which pool protocols a listener of each protocol may send to (VALID_LISTENER_POOL_PROTOCOL_MAP). */
export const VALID_LISTENER_POOL_PROTOCOLS: Record<string, readonly string[]> = {
  TCP: ['HTTP', 'HTTPS', 'PROXY', 'PROXYV2', 'TCP'],
  HTTP: ['HTTP', 'PROXY', 'PROXYV2'],
  HTTPS: ['HTTPS', 'PROXY', 'PROXYV2', 'TCP'],
  TERMINATED_HTTPS: ['HTTP', 'PROXY', 'PROXYV2'],
  UDP: ['UDP'],
  SCTP: ['SCTP'],
  PROMETHEUS: [],
};

/** The transport protocol under each protocol: two listeners of one L4 protocol cannot share a port. */
export const L4_PROTOCOL: Record<string, string> = {
  TCP: 'TCP',
  HTTP: 'TCP',
  HTTPS: 'TCP',
  TERMINATED_HTTPS: 'TCP',
  PROXY: 'TCP',
  PROXYV2: 'TCP',
  PROMETHEUS: 'TCP',
  UDP: 'UDP',
  SCTP: 'SCTP',
};

/** Protocols whose listeners and pools carry no TLS, headers or cookies (XDP / LVS-style). */
export const DATAGRAM_PROTOCOLS = ['UDP', 'SCTP'];

export const LISTENER_PROTOCOLS_SUPPORTING_HEADER_INSERTION = ['HTTP', 'TERMINATED_HTTPS'];
export const SUPPORTED_HTTP_HEADERS = ['X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto'];
/** Client-certificate headers: TERMINATED_HTTPS listeners only. */
export const SUPPORTED_SSL_HEADERS = [
  'X-SSL-Client-Verify',
  'X-SSL-Client-Has-Cert',
  'X-SSL-Client-DN',
  'X-SSL-Client-CN',
  'X-SSL-Issuer',
  'X-SSL-Client-SHA1',
  'X-SSL-Client-Not-Before',
  'X-SSL-Client-Not-After',
];

/** Oldest to newest (TLS_ALL_VERSIONS). */
export const TLS_VERSIONS = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
export const ALPN_PROTOCOLS = ['h2', 'http/1.1', 'http/1.0'];

/** api_settings defaults (CIPHERS_OWASP_SUITE_B, TLS_VERSIONS_OWASP_SUITE_B, every ALPN protocol). */
export const DEFAULT_TLS_CIPHERS =
  'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:' +
  'DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:' +
  'ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA256:DHE-RSA-AES128-SHA256:' +
  'ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256';
export const DEFAULT_TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'];
export const DEFAULT_ALPN_PROTOCOLS = ['h2', 'http/1.1', 'http/1.0'];
