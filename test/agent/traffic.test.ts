// Counters read from real maps: per-CPU stats and drops summed, drops named by reason,
// and connections open now from the conntrack sweep's count plus the flows opened since.
import t from 'tap';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Applier } from '../../src/dataplane/applier.js';
import {
  ExitReason,
  LB_CT_ESTABLISHED,
  LB_DIR_FORWARD,
  LB_DIR_REVERSE,
  LB_EXIT_MAX,
  STATS_SIZE,
  U64_SIZE,
  encodeFlow,
  encodeFlowKey,
  encodeU32,
  encodeU64,
  PROG_SWEEP,
} from '../../src/dataplane/codecs.js';
import { compile } from '../../src/dataplane/compiler.js';
import { sweepConntrack } from '../../src/dataplane/conntrack.js';
import { removePins } from '../../src/dataplane/dataplane.js';
import { lbMaps } from '../../src/dataplane/maps.js';
import { DROP_REASONS, readTraffic } from '../../src/dataplane/traffic.js';
import { native } from '../../src/native/native.js';
import { requireNetnsPrivileges } from '../lib/netns.js';
import { amphora, listener, member, pool, VIP4 } from './compiler-fixture.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

t.test('drop reasons are the DROP_ exits without the prefix', async (t) => {
  const names = DROP_REASONS.map(([n]) => n);
  t.ok(names.includes('CIDR') && names.includes('CONN_LIMIT') && names.includes('NO_FLOW'));
  t.notOk(names.some((n) => n.startsWith('DROP_') || n === 'TX' || n === 'PASS_NOT_IP'));
});

t.test('traffic: summed over CPUs, drops by reason, open connections after a sweep', async (t) => {
  requireNetnsPrivileges();
  const obj = join(root, 'bpf/xdp_lb.bpf.o');
  if (!existsSync(obj)) throw new Error('bpf/xdp_lb.bpf.o is missing: make bpf');
  const nat = native();
  const pinRoot = `/sys/fs/bpf/vxa3-traffic-${process.pid}`;
  const handle = nat.loadObject(obj, { pinRoot: join(pinRoot, 'maps') });
  t.teardown(() => {
    nat.closeObject(handle);
    removePins(pinRoot);
  });
  const maps = lbMaps(nat.objectMaps(handle));
  const applier = new Applier(nat, maps);
  const c = compile(
    amphora([listener('l1', 'p1')], [pool('p1', [member('a', '10.201.2.11'), member('b', '10.201.2.12')])]),
    applier.allocations,
    applier.current,
  );
  applier.apply(c);
  const vipId = c.allocations.vipIds.get('l1')!;
  const backendA = c.allocations.backendIds.get('a')!;
  const cpus = nat.possibleCpus();
  t.ok(cpus >= 2, 'a per-CPU sum needs two CPUs to mean anything');

  // Stats and drops on two CPUs.
  const stats = Buffer.alloc(cpus * STATS_SIZE);
  stats.writeBigUInt64LE(10n, 0); // rx_packets, CPU 0
  stats.writeBigUInt64LE(5n, STATS_SIZE); // rx_packets, CPU 1
  stats.writeBigUInt64LE(7n, STATS_SIZE + 32); // new_flows, CPU 1
  nat.mapUpdate(maps.vipStats, encodeU32(vipId), stats);
  const perCpu = (a: bigint, b: bigint): Buffer => {
    const buf = Buffer.alloc(cpus * U64_SIZE);
    buf.writeBigUInt64LE(a, 0);
    buf.writeBigUInt64LE(b, U64_SIZE);
    return buf;
  };
  nat.mapUpdate(maps.vipDrops, encodeU32(vipId * LB_EXIT_MAX + ExitReason.DROP_CIDR), perCpu(2n, 3n));
  nat.mapUpdate(maps.vipDrops, encodeU32(vipId * LB_EXIT_MAX + ExitReason.DROP_CONN_LIMIT), perCpu(0n, 1n));
  nat.mapUpdate(maps.backendDrops, encodeU32(backendA * LB_EXIT_MAX + ExitReason.DROP_FIB), perCpu(4n, 0n));

  // Two live pairs on member a and one long idle, then the sweep; the program opened 7 flows.
  const now = process.hrtime.bigint();
  const pair = (client: string, sport: number, snatPort: number, lastSeenNs: bigint): void => {
    const common = {
      backendId: backendA,
      vipId,
      state: LB_CT_ESTABLISHED,
      l2Dst: '00:00:00:00:00:00',
      l2Src: '00:00:00:00:00:00',
      ifindex: 0,
      lastSeenNs,
    };
    nat.mapUpdate(
      maps.flows,
      encodeFlowKey({ src: client, dst: VIP4, sport, dport: 80, proto: 6 }),
      encodeFlow({
        ...common,
        natSrc: '10.201.2.2',
        natDst: '10.201.2.11',
        natSport: snatPort,
        natDport: 8080,
        dir: LB_DIR_FORWARD,
      }),
    );
    nat.mapUpdate(
      maps.flows,
      encodeFlowKey({ src: '10.201.2.11', dst: '10.201.2.2', sport: 8080, dport: snatPort, proto: 6 }),
      encodeFlow({
        ...common,
        natSrc: VIP4,
        natDst: client,
        natSport: 80,
        natDport: sport,
        dir: LB_DIR_REVERSE,
      }),
    );
  };
  pair('192.0.2.1', 40001, 10001, now);
  pair('192.0.2.2', 40002, 10002, now);
  pair('192.0.2.3', 40003, 10003, now - 3_600_000_000_000n); // idle for an hour: expired
  nat.mapUpdate(maps.vipOpened, encodeU32(vipId), encodeU64(7n));
  const swept = sweepConntrack(nat, nat.programFd(handle, PROG_SWEEP), { nowNs: now + 1_000_000n });
  t.equal(swept.expired, 2, 'both halves of the idle pair are gone');

  const read = () => readTraffic(nat, maps, [vipId], [backendA]);
  const first = read();
  const v = first.vips.get(vipId)!;
  t.same([v.packetsIn, v.connections], [15n, 7n], 'summed over CPUs');
  t.equal(v.active, 2n, 'the live pairs the sweep counted');
  t.same(
    [v.drops.CIDR, v.drops.CONN_LIMIT, v.drops.NO_FLOW],
    [5n, 1n, 0n],
    'drops by reason, every DROP_ reason present',
  );
  t.equal(first.backends.get(backendA)?.drops.FIB, 4n);
  t.equal(first.backends.get(backendA)?.active, 2n);

  // Three more flows opened since the sweep: counted until the next sweep sees them.
  nat.mapUpdate(maps.vipOpened, encodeU32(vipId), encodeU64(10n));
  t.equal(read().vips.get(vipId)?.active, 5n, 'active + (opened - opened_at_sweep)');
  t.ok(
    first.exits.some((e) => e.reason === 'drop_cidr'),
    'exit counters are listed by their lower-case name, as /metrics always had them',
  );
});
