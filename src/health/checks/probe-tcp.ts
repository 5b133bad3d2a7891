// TCP: the member accepts a connection within the timeout.
import { connect } from 'node:net';
import type { ProbeSpec } from './monitor.js';
import { PASSED, TIMED_OUT, closeSocket, failed, settleOnce, type ProbeResult } from './probe-result.js';

export function tcpProbe(spec: ProbeSpec, signal: AbortSignal): Promise<ProbeResult> {
  return settleOnce(signal, TIMED_OUT, (finish) => {
    const socket = connect({ host: spec.address, port: spec.port });
    socket.once('connect', () => finish(PASSED));
    socket.once('error', (err) => finish(failed(err)));
    return () => closeSocket(socket);
  });
}
