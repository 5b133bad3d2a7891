// The load generator: wrk (Debian's wrk 4.1.0) in the client namespace on CPU 1, one
// thread, reporting through a Lua `done` hook as one JSON line (parsed here; pure).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTracked } from '../dataplane/shell.js';
import { ADDR, NS, PORT } from './topology.js';

export interface WrkReport {
  requests: number;
  /** Length of the run as wrk measured it. */
  durationUs: number;
  /** Socket errors and non-2xx/3xx answers. */
  errors: number;
  latencyUs: { p50: number; p90: number; p99: number; max: number };
}

const MARK = 'VXL-WRK ';

export const WRK_SCRIPT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARK}{"requests":%d,"duration":%d,"errors":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;

/** The report line among wrk's output; an error naming the output when there is none. */
export function parseWrk(stdout: string): WrkReport {
  const line = stdout.split('\n').find((l) => l.startsWith(MARK));
  if (!line) throw new Error(`wrk printed no report: ${stdout.trim().slice(-300)}`);
  const j = JSON.parse(line.slice(MARK.length)) as Record<string, number>;
  return {
    requests: j.requests!,
    durationUs: j.duration!,
    errors: j.errors!,
    latencyUs: { p50: j.p50!, p90: j.p90!, p99: j.p99!, max: j.max! },
  };
}

export interface WrkRun {
  connections: number;
  /** wrk takes whole seconds. */
  seconds: number;
  /** A new connection for every request ("Connection: close"). */
  close: boolean;
}

export function wrkArgs(script: string, r: WrkRun): string[] {
  const args = ['wrk', '-t1', `-c${r.connections}`, `-d${r.seconds}s`, '--timeout', '2s', '-s', script];
  if (r.close) args.push('-H', 'Connection: close');
  return [...args, `http://${ADDR.vip}:${PORT.vip}/`];
}

export function writeWrkScript(dir: string): string {
  const file = join(dir, 'report.lua');
  writeFileSync(file, WRK_SCRIPT);
  return file;
}

/** One wrk run; killed if it overruns by 15 s. */
export function runWrk(script: string, r: WrkRun): Promise<WrkReport> {
  const args = [`--net=/run/netns/${NS.client}`, 'taskset', '-c', '1', ...wrkArgs(script, r)];
  return new Promise((resolve, reject) => {
    const child = spawnTracked('nsenter', args, ['ignore', 'pipe', 'pipe']);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (r.seconds + 15) * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`wrk exited ${code ?? signal}: ${(err || out).trim().slice(-300)}`));
        return;
      }
      try {
        resolve(parseWrk(out));
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}
