// The whole native surface of the addon (native/, built by node-gyp into
// build/Release/velox_native.node), declared once. Everything else imports from here.
// The addon only packs bytes and makes syscalls; errors it throws carry `errno` and
// `syscall` and are re-typed into named errors by src/native/errors.ts.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wrapNative } from './errors.js';

/** An opened and loaded BPF object (bpf_object). Opaque; closed by closeObject (or, as a safety net, by GC). */
export interface BpfObjectHandle {
  readonly __brand: 'BpfObjectHandle';
}
/**
 * A BPF link (bpf_link), e.g. an XDP attachment. Opaque; its fd is closed by destroyLink or,
 * as a safety net, by GC: an unpinned link is detached then, so keep the handle or pin it.
 */
export interface BpfLinkHandle {
  readonly __brand: 'BpfLinkHandle';
}

export type XdpMode = 'native' | 'generic';

export interface MapInfo {
  name: string;
  fd: number;
  type: number; // BPF_MAP_TYPE_*
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** Kernel map id; reported by mapInfo() only. */
  id?: number;
  /** map_flags (BPF_F_*); reported by mapInfo() only. */
  flags?: number;
}

/** A map as an object file declares it, before any load. */
export interface MapSpec {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
}

export interface StructLayout {
  size: number;
  offsets: Record<string, number>;
}

export interface TestRunResult {
  retval: number; // XDP action
  data: Buffer; // packet after the program ran
  durationNs: number; // average per repetition, from the kernel
}

export interface TestRunOptions {
  ingressIfindex?: number;
}

export interface NativeAddon {
  /**
   * Open and load a BPF object file. With `pinRoot`, maps declared with
   * LIBBPF_PIN_BY_NAME are reused from `${pinRoot}/${mapName}` when pinned there,
   * and pinned there otherwise (libbpf's pin_root_path).
   */
  loadObject(path: string, opts?: { pinRoot?: string }): BpfObjectHandle;
  closeObject(obj: BpfObjectHandle): void;
  /** Maps of a loaded object with their fds (owned by the object: closeObject closes them). */
  objectMaps(obj: BpfObjectHandle): MapInfo[];
  /** The maps an object file declares, read without loading it (no map is created). */
  objectMapSpecs(path: string): MapSpec[];
  /** fd of a program of a loaded object, by function name. */
  programFd(obj: BpfObjectHandle, name: string): number;

  /** Attach an XDP program with a bpf_link; reports the mode in effect. */
  attachXdp(progFd: number, ifindex: number, mode: XdpMode): { link: BpfLinkHandle; mode: XdpMode };
  /** Atomically replace the program behind an XDP link (bpf_link_update). */
  updateLink(link: BpfLinkHandle, progFd: number): void;
  /** Detach and free a link (and unpin nothing: see unpin). */
  destroyLink(link: BpfLinkHandle): void;
  /** Pin a link under bpffs so the attachment outlives the process. */
  pinLink(link: BpfLinkHandle, path: string): void;
  /** Reopen a pinned link. */
  openPinnedLink(path: string): BpfLinkHandle;
  /** The XDP program attached on an interface, if any (by netlink query). */
  queryXdp(ifindex: number): { progId: number; mode: XdpMode | 'offload' } | null;
  /** Detach whatever XDP program is attached in `mode` on the interface (netlink). */
  detachXdp(ifindex: number, mode: XdpMode): void;

  /** Pin any fd (map or program) under bpffs; reopen with openPinned. */
  pinObject(fd: number, path: string): void;
  openPinned(path: string): number;
  /** Remove a pin (unlink); ENOENT is an error. */
  unpin(path: string): void;
  closeFd(fd: number): void;
  /** Kernel-side info of a map fd. */
  mapInfo(fd: number): MapInfo;

  /** null when the key is absent. For per-CPU maps the value holds every possible CPU's slot, 8-byte aligned. */
  mapLookup(fd: number, key: Buffer): Buffer | null;
  /** flags: BPF_ANY 0, BPF_NOEXIST 1, BPF_EXIST 2. */
  mapUpdate(fd: number, key: Buffer, value: Buffer, flags?: number): void;
  /** false when the key was absent. */
  mapDelete(fd: number, key: Buffer): boolean;
  /**
   * `keys` holds `count` keys back to back, `values` `count` values; one syscall.
   * flags: BPF_ANY 0 or BPF_F_LOCK 4 only (the kernel refuses NOEXIST/EXIST for batches).
   */
  mapUpdateBatch(fd: number, keys: Buffer, values: Buffer, count: number, flags?: number): void;
  /** The next key after `key` (or the first when null); null at the end. */
  mapNextKey(fd: number, key: Buffer | null): Buffer | null;
  /**
   * Every entry of a hash or array map, `count` keys and values back to back (per-CPU values
   * as in mapLookup), read in chunks by BPF_MAP_LOOKUP_BATCH: a few syscalls for a whole table.
   */
  mapDump(fd: number): { count: number; keys: Buffer; values: Buffer };
  /** libbpf_num_possible_cpus(): the number of slots in a per-CPU value. */
  possibleCpus(): number;

  /**
   * BPF_PROG_TEST_RUN on an XDP program with one packet. With `ingressIfindex` the
   * packet arrives on that interface of the caller's namespace (ctx->ingress_ifindex),
   * else on the loopback device.
   */
  testRun(progFd: number, packet: Buffer, repeat?: number, opts?: TestRunOptions): TestRunResult;

  /** Sizes and field offsets of every struct in bpf/lb.h, as the C compiler lays them out. */
  layout(): Record<string, StructLayout>;
  /** Constants of bpf/lb.h (sizes, flags, exit reasons) and map names. */
  constants(): Record<string, number | string>;
  /** if_nametoindex in the caller's network namespace; throws when absent. */
  ifIndex(name: string): number;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Same path from src/ (tests) and dist/src/ (built): walk up to the package root.
function addonPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const base = here.includes(`${join('dist', 'src')}`) ? join(here, '..', '..', '..') : root;
  return join(base, 'build', 'Release', 'velox_native.node');
}

let loaded: NativeAddon | undefined;

/** The addon, loaded once, with every function re-typing its errors. */
export function native(): NativeAddon {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    loaded = wrapNative(require(addonPath()) as NativeAddon);
  }
  return loaded;
}
