// UDP-CONNECT, as Octavia's amphora: a datagram on a connected UDP socket; an ICMP port (or
// host) unreachable reported on the socket within the timeout fails, silence or a reply
// passes. The datagram is empty so no member application reads a payload it did not expect.
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ProbeSpec } from './monitor.js';
import { PASSED, failed, settleOnce, type ProbeResult } from './probe-result.js';

const EMPTY = Buffer.alloc(0);

export function udpProbe(spec: ProbeSpec, signal: AbortSignal): Promise<ProbeResult> {
  return settleOnce(signal, PASSED, (finish) => {
    const socket = createSocket(isIPv6(spec.address) ? 'udp6' : 'udp4');
    socket.on('error', (err) => finish(failed(err)));
    socket.on('message', () => finish(PASSED));
    socket.connect(spec.port, spec.address, () => {
      socket.send(EMPTY, (err) => {
        if (err) finish(failed(err));
      });
    });
    return () => {
      try {
        socket.close();
      } catch {
        // already closed after an error
      }
    };
  });
}
