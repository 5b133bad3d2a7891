// The bootstrap file of controller mode, written by the compute driver next to the
// amphora's certificates: who the agent is, where it listens, whom it reports to.
import { readFile } from 'node:fs/promises';
import { ConfigError } from './config-error.js';

export interface Bootstrap {
  amphora_id: string;
  grpc_listen: string; // "IP:PORT" (or "unix:/path" in tests)
  metrics_listen: string; // "IP:PORT"
  tls: { ca: string; cert: string; key: string } | null; // null only without TLS (tests)
  heartbeat: { target: string; interval_ms: number } | null;
  pin_root: string;
  state_dir: string; // files of the agent (HAProxy's); '' = /run/velox/<amphora_id>
  bpf_object: string; // '' = the package's bpf/xdp_lb.bpf.o
}

const KEYS = [
  'amphora_id',
  'grpc_listen',
  'metrics_listen',
  'tls',
  'heartbeat',
  'pin_root',
  'state_dir',
  'bpf_object',
];

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ConfigError(path, 'expected an object');
  return v as Record<string, unknown>;
}

function str(o: Record<string, unknown>, key: string, path: string, need: boolean): string {
  const v = o[key];
  if (v === undefined && !need) return '';
  if (typeof v !== 'string' || (need && v === '')) throw new ConfigError(path, 'expected a non-empty string');
  return v;
}

function onlyKeys(o: Record<string, unknown>, keys: string[], path: string): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw new ConfigError(path ? `${path}.${k}` : k, 'unknown field');
  }
}

/** Throws ConfigError naming the first bad field. */
export function parseBootstrap(text: string): Bootstrap {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('', `not valid JSON: ${(err as Error).message}`);
  }
  const o = obj(json, '');
  onlyKeys(o, KEYS, '');
  let tls: Bootstrap['tls'] = null;
  if (o.tls !== undefined && o.tls !== null) {
    const t = obj(o.tls, 'tls');
    onlyKeys(t, ['ca', 'cert', 'key'], 'tls');
    tls = {
      ca: str(t, 'ca', 'tls.ca', true),
      cert: str(t, 'cert', 'tls.cert', true),
      key: str(t, 'key', 'tls.key', true),
    };
  }
  let heartbeat: Bootstrap['heartbeat'] = null;
  if (o.heartbeat !== undefined && o.heartbeat !== null) {
    const h = obj(o.heartbeat, 'heartbeat');
    onlyKeys(h, ['target', 'interval_ms'], 'heartbeat');
    const interval = h.interval_ms ?? 1000;
    if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 50) {
      throw new ConfigError('heartbeat.interval_ms', 'expected an integer of at least 50');
    }
    heartbeat = { target: str(h, 'target', 'heartbeat.target', true), interval_ms: interval };
  }
  return {
    amphora_id: str(o, 'amphora_id', 'amphora_id', true),
    grpc_listen: str(o, 'grpc_listen', 'grpc_listen', true),
    metrics_listen: str(o, 'metrics_listen', 'metrics_listen', false) || '0.0.0.0:9100',
    tls,
    heartbeat,
    pin_root: str(o, 'pin_root', 'pin_root', false) || `/sys/fs/bpf/velox/${String(o.amphora_id)}`,
    state_dir: str(o, 'state_dir', 'state_dir', false),
    bpf_object: str(o, 'bpf_object', 'bpf_object', false),
  };
}

export async function loadBootstrap(file: string): Promise<Bootstrap> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError('', `cannot read ${file}: ${(err as Error).message}`);
  }
  return parseBootstrap(text);
}
