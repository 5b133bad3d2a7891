// The request an HTTP/HTTPS monitor sends and the reading of the status line it gets back.
// Pure: the probe in probe-http.ts does the I/O.

export interface HttpCheck {
  readonly method: string;
  readonly path: string;
  readonly version: '1.0' | '1.1';
  /** domain_name; empty when not set. */
  readonly domainName: string;
}

/** The Host header value for an address: IPv6 literals go in brackets. */
export function hostForAddress(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * HTTP/1.0: the request line, plus Host only when domain_name is set.
 * HTTP/1.1: Host (domain_name, or the probed address) and `Connection: close`, as 1.1 requires
 * a Host header and the probe reads one response only.
 */
export function buildHttpRequest(check: HttpCheck, address: string): string {
  const lines = [`${check.method} ${check.path} HTTP/${check.version}`];
  if (check.version === '1.1') {
    lines.push(`Host: ${check.domainName || hostForAddress(address)}`, 'Connection: close');
  } else if (check.domainName) {
    lines.push(`Host: ${check.domainName}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

const STATUS_LINE = /^HTTP\/\d\.\d (\d{3})(?: .*)?$/;

/** The status code of a response's first line (without its line end); undefined if it is not one. */
export function parseStatusLine(line: string): number | undefined {
  const match = STATUS_LINE.exec(line);
  return match ? Number(match[1]) : undefined;
}
