// HTTP and HTTPS: one request written by hand, success iff the status code is expected.
// HTTPS does not verify the member's certificate (Octavia's `check-ssl verify none`).
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { codeExpected } from './expected-codes.js';
import { buildHttpRequest, parseStatusLine } from './http-request.js';
import type { ProbeSpec } from './monitor.js';
import { PASSED, TIMED_OUT, closeSocket, failed, settleOnce, type ProbeResult } from './probe-result.js';

const MAX_STATUS_LINE = 8192;

export function httpProbe(spec: ProbeSpec, signal: AbortSignal): Promise<ProbeResult> {
  const http = spec.http;
  if (!http) return Promise.resolve(failed(`${spec.type} monitor without HTTP settings`));
  return settleOnce(signal, TIMED_OUT, (finish) => {
    const raw = connect({ host: spec.address, port: spec.port });
    raw.once('error', (err) => finish(failed(err)));
    const stream =
      spec.type === 'HTTPS'
        ? tlsConnect({ socket: raw, rejectUnauthorized: false, servername: http.domainName || undefined })
        : raw;
    stream.once('error', (err) => finish(failed(err)));
    stream.once(spec.type === 'HTTPS' ? 'secureConnect' : 'connect', () =>
      stream.write(buildHttpRequest(http, spec.address)),
    );
    let head = '';
    stream.setEncoding('latin1');
    stream.on('data', (chunk: string) => {
      head += chunk;
      const end = head.indexOf('\n');
      if (end < 0) {
        if (head.length > MAX_STATUS_LINE) finish(failed('no status line in the first 8 KB'));
        return;
      }
      const status = parseStatusLine(head.slice(0, end).replace(/\r$/, ''));
      if (status === undefined)
        finish(failed(`not an HTTP status line: ${JSON.stringify(head.slice(0, 40))}`));
      else if (codeExpected(http.expectedCodes, status)) finish(PASSED);
      else finish(failed(`status ${status} is not an expected code`));
    });
    stream.once('end', () => finish(failed('connection closed before a status line')));
    return () => {
      closeSocket(raw);
      if (stream !== raw) {
        stream.on('error', () => {});
        stream.destroy();
      }
    };
  });
}
