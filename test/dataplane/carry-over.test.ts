// Pinned maps across a layout-changing upgrade (src/dataplane/carry-over.ts), with real
// maps: an earlier build's maps (fixtures/old-layout.bpf.c: a smaller conntrack table, 17
// exit reasons) are pinned, then the current xdp_lb is loaded over them the way the agent
// does. Conntrack entries and counters must arrive in the new maps, per-reason drops in
// their new rows; an unchanged map is reused as it is; a load that fails puts the old
// maps back under their pins.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { MapCarryOver } from '../../src/dataplane/carry-over.js';
import {
  encodeCidrKey,
  encodeFlow,
  encodeFlowKey,
  ExitReason,
  IPPROTO_TCP,
  LB_CT_ESTABLISHED,
  LB_DIR_FORWARD,
  LB_EXIT_MAX,
  MapName,
} from '../../src/dataplane/codecs.js';
import { native } from '../../src/native/native.js';
import { root } from '../agent/l4-topology.js';

const OLD_EXIT_MAX = 17;
const nat = native();
const cpus = nat.possibleCpus();

function mountedBpffs(): void {
  if (process.getuid?.() !== 0) throw new Error('the carry-over test needs root (CAP_BPF, CAP_SYS_ADMIN)');
  try {
    execFileSync('mountpoint', ['-q', '/sys/fs/bpf']);
  } catch {
    execFileSync('mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf']);
  }
}

function buildOldLayout(dir: string): string {
  const out = join(dir, 'old-layout.bpf.o');
  const arch = execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim();
  execFileSync('clang', [
    '-O2',
    '-g',
    '-target',
    'bpf',
    '-D__BPF__',
    `-I/usr/include/${arch}-linux-gnu`,
    '-c',
    join(root, 'test/dataplane/fixtures/old-layout.bpf.c'),
    '-o',
    out,
  ]);
  return out;
}

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
/** A per-CPU value of u64 words: CPU c holds base + c in each word. */
const perCpu = (words: number, base: bigint): Buffer => {
  const b = Buffer.alloc(cpus * words * 8);
  for (let c = 0; c < cpus; c++)
    for (let w = 0; w < words; w++) b.writeBigUInt64LE(base + BigInt(c), (c * words + w) * 8);
  return b;
};

const flows = [40001, 40002, 40003].map((sport, i) => ({
  key: encodeFlowKey({ src: '10.9.0.10', dst: '10.9.0.100', sport, dport: 80, proto: IPPROTO_TCP }),
  value: encodeFlow({
    natSrc: '10.9.1.2',
    natDst: '10.9.1.11',
    natSport: 20000 + i,
    natDport: 8080,
    backendId: 3,
    vipId: 2,
    dir: LB_DIR_FORWARD,
    state: LB_CT_ESTABLISHED,
    l2Dst: '00:00:00:00:00:00',
    l2Src: '00:00:00:00:00:00',
    ifindex: 0,
    lastSeenNs: 123456789n,
  }),
}));
const VIP_ID = 2;
const CIDRS = [
  encodeCidrKey({ vipId: VIP_ID, addr: '10.9.0.0', prefixLength: 24 }),
  encodeCidrKey({ vipId: VIP_ID, addr: 'fd00:9::', prefixLength: 64 }),
];
const DROP_REASON = ExitReason.DROP_NO_FLOW;

/** Pins the old build's maps under `mapsDir` and fills them; returns their kernel ids. */
function pinOldMaps(oldObject: string, mapsDir: string): Map<string, number> {
  const obj = nat.loadObject(oldObject, { pinRoot: mapsDir });
  const fds = new Map(nat.objectMaps(obj).map((m) => [m.name, m.fd]));
  for (const f of flows) nat.mapUpdate(fds.get(MapName.flows)!, f.key, f.value);
  nat.mapUpdate(fds.get(MapName.exitStats)!, u32(ExitReason.PASS_ICMP), perCpu(2, 500n));
  for (const k of CIDRS) nat.mapUpdate(fds.get(MapName.allowedCidrs)!, k, u32(1));
  nat.mapUpdate(fds.get(MapName.vipDrops)!, u32(VIP_ID * OLD_EXIT_MAX + DROP_REASON), perCpu(1, 70n));
  const ids = new Map([...fds].map(([name, fd]) => [name, nat.mapInfo(fd).id!]));
  nat.closeObject(obj);
  return ids;
}

function pinnedIds(mapsDir: string): Map<string, number> {
  return new Map(
    readdirSync(mapsDir).map((name) => {
      const fd = nat.openPinned(join(mapsDir, name));
      const id = nat.mapInfo(fd).id!;
      nat.closeFd(fd);
      return [name, id] as const;
    }),
  );
}

mountedBpffs();
const dir = mkdtempSync(join(tmpdir(), 'vx-carry-'));
const pinRoot = `/sys/fs/bpf/vxcarry-${process.pid}`;
t.teardown(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(pinRoot, { recursive: true, force: true });
});
const oldObject = buildOldLayout(dir);
const newObject = join(root, 'bpf/xdp_lb.bpf.o');

t.test('an upgrade carries conntrack and counters into maps of the new layout', async (t) => {
  const mapsDir = join(pinRoot, 'upgrade');
  const oldIds = pinOldMaps(oldObject, mapsDir);

  const carry = MapCarryOver.prepare(nat, newObject, mapsDir, new Set());
  t.same(
    carry.names.sort(),
    [MapName.allowedCidrs, MapName.exitStats, MapName.flows, MapName.vipDrops].sort(),
    'the four changed maps',
  );
  const obj = nat.loadObject(newObject, { pinRoot: mapsDir });
  t.teardown(() => nat.closeObject(obj));
  const fds = new Map(nat.objectMaps(obj).map((m) => [m.name, m.fd]));
  const carried = carry.copy(fds);
  t.equal(carry.catchUp(fds), 0, 'nothing new to catch up: no program wrote meanwhile');
  t.same(carry.close(), [join(mapsDir, 'lb_retired')], 'the pin of the map the build dropped is removed');

  const byName = new Map(carried.map((c) => [c.name, c]));
  t.match(byName.get(MapName.flows), {
    copied: flows.length,
    dropped: 0,
    from: /\/4096\/0$/,
    to: /\/262144\/0$/,
  });
  for (const f of flows)
    t.same(nat.mapLookup(fds.get(MapName.flows)!, f.key), f.value, 'a conntrack entry, byte for byte');
  t.same(
    nat.mapLookup(fds.get(MapName.exitStats)!, u32(ExitReason.PASS_ICMP)),
    perCpu(2, 500n),
    'an exit counter, every CPU',
  );
  const drops = fds.get(MapName.vipDrops)!;
  t.same(
    nat.mapLookup(drops, u32(VIP_ID * LB_EXIT_MAX + DROP_REASON)),
    perCpu(1, 70n),
    'a drop counter, in its new row',
  );
  t.same(
    nat.mapLookup(drops, u32(VIP_ID * OLD_EXIT_MAX + DROP_REASON)),
    Buffer.alloc(cpus * 8),
    'its old index now belongs to another reason, and is 0',
  );
  t.same(
    nat.mapLookup(fds.get(MapName.exitStats)!, u32(ExitReason.PASS_LOCAL_SOCKET)),
    perCpu(2, 0n).fill(0),
    'the new reason starts at 0',
  );
  for (const k of CIDRS)
    t.same(nat.mapLookup(fds.get(MapName.allowedCidrs)!, k), u32(1), 'an allowed prefix (LPM trie)');
  const now = pinnedIds(mapsDir);
  t.equal(now.get(MapName.vips), oldIds.get(MapName.vips), 'the unchanged map is reused, not rebuilt');
  t.not(now.get(MapName.flows), oldIds.get(MapName.flows), 'the changed one is new');
  t.notOk(existsSync(join(mapsDir, 'lb_retired')), 'no stale pin left');
});

t.test('a failed load puts the old maps back under their pins', async (t) => {
  const mapsDir = join(pinRoot, 'failed');
  const oldIds = pinOldMaps(oldObject, mapsDir);
  const carry = MapCarryOver.prepare(nat, newObject, mapsDir, new Set());
  t.notOk(existsSync(join(mapsDir, MapName.flows)), 'unpinned for the load');
  t.throws(() => nat.loadObject(join(dir, 'missing.bpf.o'), { pinRoot: mapsDir }), 'the load fails');
  carry.restore();
  t.same(pinnedIds(mapsDir), oldIds, 'every old map is pinned again, the same maps');
  const fd = nat.openPinned(join(mapsDir, MapName.flows));
  t.teardown(() => nat.closeFd(fd));
  t.same(nat.mapLookup(fd, flows[0]!.key), flows[0]!.value, 'with its entries');
});

t.test('a copy that fails puts the old maps back under their pins', async (t) => {
  const mapsDir = join(pinRoot, 'rollback');
  const oldIds = pinOldMaps(oldObject, mapsDir);
  const carry = MapCarryOver.prepare(nat, newObject, mapsDir, new Set());
  const obj = nat.loadObject(newObject, { pinRoot: mapsDir });
  const fds = new Map(nat.objectMaps(obj).map((m) => [m.name, m.fd]));
  nat.closeObject(obj); // its maps' fds are closed: nothing can be written into them
  t.throws(() => carry.copy(fds), 'the copy fails');
  carry.rollBack();
  const now = pinnedIds(mapsDir);
  t.same(
    [...oldIds].map(([name]) => [name, now.get(name)]),
    [...oldIds],
    'every old map is under its pin again, the same maps',
  );
});
