// TLS-HELLO: the member answers a ClientHello with a ServerHello (HAProxy's ssl-hello-chk).
// Node's TLS stack writes a real ClientHello into a relay; the first record the member sends
// back is inspected on the raw socket and the handshake is abandoned: a plain TCP server
// that closes or answers anything else fails.
import { connect } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { ProbeSpec } from './monitor.js';
import { PASSED, TIMED_OUT, closeSocket, failed, settleOnce, type ProbeResult } from './probe-result.js';

const RECORD_HANDSHAKE = 0x16;
const TLS_MAJOR = 0x03;
const HANDSHAKE_SERVER_HELLO = 0x02;

/** A TLS record header (5 bytes) of type handshake, then handshake type ServerHello. */
export function isServerHello(head: Buffer): boolean {
  return head[0] === RECORD_HANDSHAKE && head[1] === TLS_MAJOR && head[5] === HANDSHAKE_SERVER_HELLO;
}

export function tlsHelloProbe(spec: ProbeSpec, signal: AbortSignal): Promise<ProbeResult> {
  return settleOnce(signal, TIMED_OUT, (finish) => {
    const raw = connect({ host: spec.address, port: spec.port });
    const relay = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        if (!raw.destroyed) raw.write(chunk);
        done();
      },
    });
    const client = tlsConnect({ socket: relay, rejectUnauthorized: false });
    client.on('error', () => {}); // abandoned on purpose once the answer is seen
    let head = Buffer.alloc(0);
    raw.on('data', (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (head.length >= 6)
        finish(isServerHello(head) ? PASSED : failed('the answer is not a TLS ServerHello'));
    });
    raw.once('end', () => finish(failed('connection closed without a ServerHello')));
    raw.once('error', (err) => finish(failed(err)));
    return () => {
      closeSocket(raw);
      client.destroy();
      relay.destroy();
    };
  });
}
