// Runs host tools (ip, ethtool, nsenter) without a shell; errors carry the command and
// its stderr so a failed step says what the kernel refused.
import { execFile } from 'node:child_process';

export class HostCommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(`${argv.join(' ')} failed (${exitCode ?? 'signal'}): ${stderr.trim()}`);
    this.name = 'HostCommandError';
  }
}

export function run(cmd: string, args: string[], timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const code = typeof err.code === 'number' ? err.code : null;
        reject(new HostCommandError([cmd, ...args], stderr || err.message, code));
      } else resolve(stdout);
    });
  });
}

/** `ip` with JSON output parsed. */
export async function ipJson<T>(args: string[]): Promise<T[]> {
  const out = await run('ip', ['-j', ...args]);
  return out.trim() === '' ? [] : (JSON.parse(out) as T[]);
}

export interface IpLink {
  ifname: string;
  link_type?: string;
  operstate?: string;
  master?: string;
  flags?: string[];
}

export async function linkExists(name: string, netns?: string): Promise<boolean> {
  const ns = netns ? ['-n', netns] : [];
  try {
    await run('ip', [...ns, 'link', 'show', 'dev', name]);
    return true;
  } catch {
    return false;
  }
}

export async function listLinks(netns?: string): Promise<IpLink[]> {
  return ipJson<IpLink>([...(netns ? ['-n', netns] : []), 'link', 'show']);
}

/** Names of the network namespaces under /run/netns. */
export async function listNetns(): Promise<string[]> {
  const list = await ipJson<{ name: string }>(['netns', 'list']);
  return list.map((n) => n.name);
}
