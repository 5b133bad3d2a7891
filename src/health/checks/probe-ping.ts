// PING: one ICMP echo with the system's ping (as Octavia's ping-wrapper.sh); exit 0 passes.
import { spawn } from 'node:child_process';
import { isIPv6 } from 'node:net';
import type { ProbeSpec } from './monitor.js';
import { PASSED, TIMED_OUT, failed, settleOnce, type ProbeResult } from './probe-result.js';

export function pingArgs(spec: ProbeSpec): string[] {
  const waitSeconds = String(Math.max(1, Math.ceil(spec.timeoutMs / 1000)));
  return [...(isIPv6(spec.address) ? ['-6'] : []), '-c', '1', '-W', waitSeconds, '-n', spec.address];
}

export function pingProbe(spec: ProbeSpec, signal: AbortSignal): Promise<ProbeResult> {
  return settleOnce(signal, TIMED_OUT, (finish) => {
    const child = spawn('ping', pingArgs(spec), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-200);
    });
    child.once('error', (err) => finish(failed(err))); // e.g. ENOENT: ping is not installed
    child.once('close', (code, signalName) => {
      if (code === 0) finish(PASSED);
      else finish(failed(`ping exited with ${code ?? signalName}${stderr ? `: ${stderr.trim()}` : ''}`));
    });
    return () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
  });
}
