// One probe of one member, by monitor type, bounded by the monitor's timeout.
import type { ProbeSpec, ProbeType } from './monitor.js';
import { httpProbe } from './probe-http.js';
import { pingProbe } from './probe-ping.js';
import type { ProbeResult } from './probe-result.js';
import { tcpProbe } from './probe-tcp.js';
import { tlsHelloProbe } from './probe-tls-hello.js';
import { udpProbe } from './probe-udp.js';

type Probe = (spec: ProbeSpec, signal: AbortSignal) => Promise<ProbeResult>;

const PROBES: Record<ProbeType, Probe> = {
  PING: pingProbe,
  TCP: tcpProbe,
  HTTP: httpProbe,
  HTTPS: httpProbe,
  'TLS-HELLO': tlsHelloProbe,
  'UDP-CONNECT': udpProbe,
};

/**
 * Runs the probe for `spec`. Its timeout aborts it (a failure, except for UDP-CONNECT where
 * silence passes); `stop` aborts it early when the member is removed or the checker closes.
 */
export async function runProbe(spec: ProbeSpec, stop?: AbortSignal): Promise<ProbeResult> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), spec.timeoutMs);
  timer.unref();
  const onStop = (): void => deadline.abort();
  if (stop?.aborted) deadline.abort();
  stop?.addEventListener('abort', onStop, { once: true });
  try {
    return await PROBES[spec.type](spec, deadline.signal);
  } finally {
    clearTimeout(timer);
    stop?.removeEventListener('abort', onStop);
  }
}
