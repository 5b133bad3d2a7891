// Shared setup of the addon's tests: prerequisites (root, bpffs, clang, the built addon)
// checked with a message naming what is missing, BPF objects compiled into a temp dir,
// and pin directories that are removed afterwards.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { native, type NativeAddon } from '../../src/native/native.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bpffs = '/sys/fs/bpf';

interface Teardown {
  teardown(fn: () => void): void;
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The addon, after checking what its tests need; throws naming the missing piece. */
export function prerequisites(): NativeAddon {
  if (process.getuid?.() !== 0) throw new Error('the native tests need root (CAP_BPF, CAP_NET_ADMIN)');
  try {
    run('mountpoint', ['-q', bpffs]);
  } catch {
    try {
      run('mount', ['-t', 'bpf', 'bpf', bpffs]);
    } catch (err) {
      throw new Error(`bpffs is not mounted at ${bpffs} and mounting it failed: ${String(err)}`);
    }
  }
  try {
    run('clang', ['--version']);
  } catch {
    throw new Error('clang is missing (needed to compile the BPF test objects): make apt');
  }
  if (!existsSync(join(repoRoot, 'build', 'Release', 'velox_native.node'))) {
    throw new Error('the addon is not built: make addon');
  }
  return native();
}

/** A temp dir removed at teardown. */
export function tempDir(t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'vxn-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Compiles a BPF C file with the Makefile's flags; returns the object's path. */
export function compileBpf(source: string, outDir: string): string {
  const arch = run('uname', ['-m']).trim();
  const out = join(outDir, source.replace(/^.*\//, '').replace(/\.c$/, '.o'));
  run('clang', [
    '-O2',
    '-g',
    '-Wall',
    '-Werror',
    '-target',
    'bpf',
    '-D__BPF__',
    `-I/usr/include/${arch}-linux-gnu`,
    '-c',
    source,
    '-o',
    out,
  ]);
  return out;
}

export const xdpPassSource = join(repoRoot, 'bpf', 'xdp_pass.bpf.c');
export const countersSource = join(repoRoot, 'test', 'native', 'fixtures', 'counters.bpf.c');

let pins = 0;
/** A fresh directory under bpffs, removed (with every pin in it) at teardown. */
export function pinDir(t: Teardown): string {
  const dir = join(bpffs, `vxn-test-${process.pid}-${pins++}`);
  rmSync(dir, { recursive: true, force: true });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Shell out for setup only (ip, bpftool); output as text. */
export function sh(cmd: string, ...args: string[]): string {
  return run(cmd, args);
}

/** u32 in host order, as the maps' keys are. */
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

export function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}
