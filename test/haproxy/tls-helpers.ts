// Clients for the TLS termination tests: one HTTPS request (HTTP/1.1 or HTTP/2) on a fresh
// connection, reporting what the TLS handshake gave (certificate served, protocol, cipher,
// ALPN) beside the HTTP answer. All bounded in time.
import { connect as http2Connect, constants as h2 } from 'node:http2';
import { request, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import type { Test } from 'tap';
import type { Listener__Output } from '../../src/grpc/gen/velox/agent/v1/Listener.js';
import type { Pool__Output } from '../../src/grpc/gen/velox/agent/v1/Pool.js';
import type { TestCert } from '../lib/test-ca.js';
import { tlsCertificate } from './golden-cases-tls.js';
import { amphora, freePort, listener, managerFor, member, pool } from './helpers.js';
import { startHttpMember } from './http-helpers.js';

export interface TlsClientOptions {
  /** The CA the client trusts the served certificate with. */
  ca: string;
  /** SNI name sent; none when absent (the address is an IP). */
  servername?: string;
  /** A client certificate to present. */
  client?: TestCert;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list (TLS 1.2) offered. */
  ciphers?: string;
  ALPNProtocols?: string[];
  path?: string;
  timeoutMs?: number;
}

export interface TlsAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Subject CN of the certificate the server presented. */
  servedCn: string;
  protocol: string; // TLSv1.2, TLSv1.3
  cipher: string;
  alpn: string | false;
}

function handshakeFacts(sock: TLSSocket): Pick<TlsAnswer, 'servedCn' | 'protocol' | 'cipher' | 'alpn'> {
  const cn = sock.getPeerCertificate().subject?.CN;
  return {
    servedCn: Array.isArray(cn) ? cn.join(',') : (cn ?? ''),
    protocol: sock.getProtocol() ?? '',
    cipher: sock.getCipher().name,
    alpn: sock.alpnProtocol ?? false,
  };
}

/** One HTTP/1.1 request over TLS; rejects when the handshake or the connection fails. */
export function httpsGet(host: string, port: number, opts: TlsClientOptions): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    // https.RequestOptions leaves out the tls.connect options it passes on (ALPNProtocols).
    const options: RequestOptions & ConnectionOptions = {
      host,
      port,
      path: opts.path ?? '/',
      agent: false,
      ca: opts.ca,
      servername: opts.servername ?? '',
      cert: opts.client?.certPem,
      key: opts.client?.keyPem,
      minVersion: opts.minVersion,
      maxVersion: opts.maxVersion,
      ciphers: opts.ciphers,
      ALPNProtocols: opts.ALPNProtocols,
      // The served certificate names a host, the test connects to an IP: check the chain,
      // and let the test check which certificate came.
      checkServerIdentity: () => undefined,
    };
    const req = request(options, (res) => {
      const facts = handshakeFacts(res.socket as TLSSocket);
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
          ...facts,
        });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer from ${host}:${port} in ${opts.timeoutMs ?? 3000} ms`));
    }, opts.timeoutMs ?? 3000);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

/** One HTTP/2 request (ALPN h2 offered, as node:http2 does); rejects when h2 is not negotiated. */
export function http2Get(host: string, port: number, opts: TlsClientOptions): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(`https://${host}:${port}`, {
      ca: opts.ca,
      servername: opts.servername,
      checkServerIdentity: () => undefined,
    });
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`no HTTP/2 answer from ${host}:${port} in ${opts.timeoutMs ?? 3000} ms`));
    }, opts.timeoutMs ?? 3000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      session.destroy();
      reject(err);
    };
    session.on('error', fail);
    session.on('connect', () => {
      const facts = handshakeFacts(session.socket as TLSSocket);
      const stream = session.request({ [h2.HTTP2_HEADER_PATH]: opts.path ?? '/' });
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[h2.HTTP2_HEADER_STATUS]);
        headers = h as IncomingHttpHeaders;
      });
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('error', fail);
      stream.on('end', () => {
        clearTimeout(timer);
        session.close();
        resolve({ status, headers, body: Buffer.concat(chunks).toString(), ...facts });
      });
      stream.end();
    });
  });
}

/**
 * A manager serving `listeners` (TERMINATED_HTTPS on free ports of `vip`, default certificate
 * `www`, each with the fields in `common` and its own) to one HTTP member at `memberAddress`.
 */
export async function serveTerminated(
  t: Test,
  opts: {
    vip: string;
    memberAddress: string;
    www: TestCert;
    common?: Partial<Listener__Output>;
    extraPools?: Pool__Output[];
  },
  listeners: Partial<Listener__Output>[],
) {
  const { manager, runDir } = managerFor(t);
  const main = await startHttpMember(t, 'main', opts.memberAddress);
  const ports = await Promise.all(listeners.map(() => freePort(opts.vip)));
  const config = amphora(
    listeners.map((over, i) =>
      listener({
        id: `l${i + 1}`,
        vip_address: opts.vip,
        protocol: 'TERMINATED_HTTPS',
        protocol_port: ports[i]!,
        default_tls: tlsCertificate('www', opts.www),
        ...opts.common,
        ...over,
      }),
    ),
    [pool([member('main', main.address, main.port)], { protocol: 'HTTP' }), ...(opts.extraPools ?? [])],
  );
  await manager.apply(
    config,
    config.listeners.map((l) => l.id),
  );
  return { manager, runDir, main, ports, config };
}
