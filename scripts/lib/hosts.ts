// Hosts on the controller's local networks, for the demo and end-to-end tests: a network
// namespace with a veth whose peer joins a bridge (scripts/host.sh is the shell twin for
// users). Checksum offload is off inside, because XDP rewrites what it cannot finish.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function quiet(cmd: string, args: string[]): void {
  try {
    sh(cmd, args);
  } catch {
    /* already gone */
  }
}

export interface Host {
  name: string;
  address: string; // without prefix
}

/** A namespace `name` with eth0 on `bridge`, address `cidr`, default route via `gateway`. */
export function addHost(name: string, bridge: string, cidr: string, gateway: string): Host {
  const peer = `${name.slice(0, 13)}h`;
  delHost(name);
  sh('ip', ['netns', 'add', name]);
  sh('ip', ['link', 'add', peer, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name]);
  sh('ip', ['link', 'set', peer, 'master', bridge, 'up']);
  // Frames the amphora redirects into its own veth come out of the bridge; no NAPI needed
  // here, but GRO keeps the host side symmetric with the amphora's.
  quiet('ethtool', ['-K', peer, 'gro', 'on']);
  sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  sh('ip', ['-n', name, 'link', 'set', 'eth0', 'up']);
  sh('ip', ['-n', name, 'addr', 'add', cidr, 'dev', 'eth0']);
  sh('ip', ['-n', name, 'route', 'add', 'default', 'via', gateway]);
  sh('ip', ['netns', 'exec', name, 'ethtool', '-K', 'eth0', 'tx', 'off']);
  return { name, address: cidr.split('/')[0]! };
}

export function delHost(name: string): void {
  quiet('ip', ['link', 'del', `${name.slice(0, 13)}h`]);
  quiet('ip', ['netns', 'del', name]);
}

/** Run a node script inside a host's namespace; resolves with its stdout. */
export function nodeIn(ns: string, script: string, args: string[] = [], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=/run/netns/${ns}`, process.execPath, '-e', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`script in ${ns} exited ${code}: ${err.trim()}`));
    });
  });
}

/** Start a long-running node script inside a namespace (a member's server). */
export function startIn(ns: string, script: string, args: string[] = []): ChildProcess {
  return spawn('nsenter', [`--net=/run/netns/${ns}`, process.execPath, '-e', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** An HTTP server answering every request with its name; GET /stats gives its count. */
export const HTTP_MEMBER = `
const http = require('node:http');
const [name, port] = process.argv.slice(1);
let served = 0;
http.createServer((req, res) => {
  if (req.url === '/stats') { res.end(JSON.stringify({ name, served })); return; }
  served++;
  res.setHeader('connection', 'close');
  res.end(name);
}).listen(Number(port), () => console.log('ready'));
`;

/** N sequential HTTP GETs, each on a new connection; prints {body: count} as JSON. */
export const HTTP_CLIENT = `
const http = require('node:http');
const [host, port, n] = process.argv.slice(1);
const counts = {};
const errors = {};
let failed = 0;
function one() {
  return new Promise((resolve) => {
    const req = http.get({ host, port: Number(port), path: '/', agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => { counts[body] = (counts[body] || 0) + 1; resolve(); });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => { failed++; errors[e.code || e.message] = (errors[e.code || e.message] || 0) + 1; resolve(); });
  });
}
(async () => {
  for (let i = 0; i < Number(n); i++) await one();
  console.log(JSON.stringify({ counts, failed, errors }));
})();
`;

/** Wait until a started process prints a line containing `ready`. */
export function ready(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('process did not become ready')), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited ${code} before it was ready`));
    });
  });
}
