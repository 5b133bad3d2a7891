// TLS members for the re-encryption tests, on loopback 127.209.11.x (helper H2's range):
// real node HTTPS, HTTP/2 and raw TLS servers in this process, with certificates from
// TestCa, recording what each connection and request looked like from the member's side.
// Closed at teardown even on failure.
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Test } from 'tap';
import type { TestCert } from '../lib/test-ca.js';
import { freePort } from './helpers.js';

export interface TlsConnection {
  protocol: string | null; // negotiated TLS version, e.g. "TLSv1.3"
  alpn: string | false | null;
  peerCn: string | undefined; // the client certificate's CN (HAProxy's crt), if it sent one
}

export interface TlsRequest {
  path: string;
  httpVersion: string;
  encrypted: boolean; // the request came over a TLS socket
}

export interface TlsMember {
  name: string;
  address: string;
  port: number;
  connections: TlsConnection[];
  requests: TlsRequest[];
  /** Handshakes the member refused or that failed (tlsClientError). */
  handshakeErrors: string[];
  /** Status /health answers with; other paths answer 200 `<name>`. */
  healthStatus: number;
}

export interface TlsMemberOptions {
  /** Ask for a client certificate and refuse connections without one from this CA. */
  clientCaPem?: string;
  /** The highest TLS version the member offers. */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** HTTP/2 with HTTP/1.1 fallback (ALPN h2, http/1.1) instead of HTTPS/1.1. */
  http2?: boolean;
  /** Raw TLS: writes `<name>\n` on each connection and closes (for TCP listeners). */
  raw?: boolean;
}

/** A member serving `cert`; see TlsMemberOptions. */
export async function startTlsMember(
  t: Test,
  name: string,
  address: string,
  cert: TestCert,
  opts: TlsMemberOptions = {},
): Promise<TlsMember> {
  const m: TlsMember = {
    name,
    address,
    port: 0,
    connections: [],
    requests: [],
    handshakeErrors: [],
    healthStatus: 200,
  };
  const tlsOptions = {
    key: cert.keyPem,
    cert: cert.certPem,
    maxVersion: opts.maxVersion ?? 'TLSv1.3',
    ...(opts.clientCaPem ? { ca: opts.clientCaPem, requestCert: true, rejectUnauthorized: true } : {}),
  };
  const onRequest = (
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ): void => {
    const path = req.url ?? '';
    m.requests.push({
      path,
      httpVersion: req.httpVersion,
      encrypted: (req.socket as TLSSocket).encrypted === true,
    });
    if (path === '/health') res.writeHead(m.healthStatus).end();
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
  };
  let server: HttpsServer | Http2SecureServer | TlsServer;
  if (opts.raw) server = createTlsServer(tlsOptions, (s) => s.end(`${name}\n`));
  else if (opts.http2) server = createSecureServer({ ...tlsOptions, allowHTTP1: true }, onRequest);
  else server = createHttpsServer(tlsOptions, onRequest);

  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  server.on('secureConnection', (s: TLSSocket) => {
    const peer = s.getPeerCertificate();
    m.connections.push({
      protocol: s.getProtocol(),
      alpn: s.alpnProtocol,
      peerCn: peer && 'subject' in peer && peer.subject ? String(peer.subject.CN) : undefined,
    });
    s.on('error', () => {});
  });
  server.on('tlsClientError', (err: Error) => m.handshakeErrors.push(err.message));
  m.port = await freePort(address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(m.port, address, resolve);
  });
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server.listening) resolve();
        else server.close(() => resolve());
      }),
  );
  return m;
}
