// Hitless changes, end to end with real sockets: a transfer running across an XDP program
// upgrade, across an agent killed with SIGKILL and restarted, and open connections across
// member changes. "Not one byte lost": the member counts and hashes what arrived and the
// client compares with what it sent; a paced UDP stream of numbered datagrams has no gap.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { L4Lab, root } from './l4-harness.js';
import { PORT, type ServiceSpec } from './l4-config.js';
import { pinnedState, type PinnedState } from './l4-pins.js';
import type { JsonLines } from './l4-process.js';

const MIB = 1 << 20;
const IFACES = ['vxlvip0', 'vxlmem0'];

interface UploadResult {
  member: string;
  sent: number;
  sha: string;
  received: number;
  receivedSha: string;
}
interface UdpResult {
  sent: number;
  received: number;
  missing: number;
  firstMissing: number[];
  members: Record<string, number>;
}

/**
 * The same xdp_lb source built differently (BPF ISA v3, another build id): a new program;
 * with `defines`, also other map sizes (a layout-changing upgrade).
 */
function buildVariant(dir: string, name = 'xdp_lb-next.bpf.o', defines: string[] = []): string {
  const out = join(dir, name);
  const arch = execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim();
  try {
    execFileSync(
      'clang',
      [
        '-O2',
        '-g',
        '-Wall',
        '-Werror',
        '-target',
        'bpf',
        '-mcpu=v3',
        '-D__BPF__',
        '-DVELOX_BUILD_ID=2',
        ...defines,
      ].concat([`-I/usr/include/${arch}-linux-gnu`, '-c', join(root, 'bpf/xdp_lb.bpf.c'), '-o', out]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (err) {
    throw new Error(`cannot build the second XDP object with clang: ${String(err)}`);
  }
  return out;
}

interface Traffic {
  upload: JsonLines;
  udp: JsonLines;
  member: string;
  flows: Set<string>; // their conntrack entries (lb_flows keys)
}

/** A TCP upload and a UDP stream through the VIP, both past their first bytes. */
async function startTraffic(lab: L4Lab): Promise<Traffic> {
  const earlier = pinnedState(lab.pinRoot, lab.net, lab.amp, IFACES).flows;
  const upload = lab.clientProcess('upload', lab.vip, String(PORT));
  const { member } = await upload.next<{ member: string }>('member');
  const udp = lab.clientProcess('udpseq', lab.vip, String(PORT));
  await udp.progress(200);
  await upload.progress(8 * MIB);
  const now = pinnedState(lab.pinRoot, lab.net, lab.amp, IFACES).flows;
  return { upload, udp, member, flows: new Set([...now].filter((k) => !earlier.has(k))) };
}

async function finishTraffic(t: Test, traffic: Traffic): Promise<void> {
  traffic.upload.send('finish');
  const up = await traffic.upload.next<UploadResult>('sent', 60_000);
  t.ok(up.sent >= 24 * MIB, `a real transfer: ${(up.sent / MIB).toFixed(1)} MiB sent`);
  t.equal(up.received, up.sent, 'the member received every byte sent');
  t.equal(up.receivedSha, up.sha, 'and the same bytes (sha256 at both ends)');
  t.equal(up.member, traffic.member, 'on the member the connection started with');
  traffic.udp.send('finish');
  const udp = await traffic.udp.next<UdpResult>('missing', 10_000);
  t.equal(udp.missing, 0, `no datagram lost of ${udp.sent} (first missing: ${udp.firstMissing.join(',')})`);
  t.equal(
    Object.keys(udp.members).length,
    1,
    `the UDP flow stayed on one member: ${JSON.stringify(udp.members)}`,
  );
}

function sameMaps(t: Test, before: PinnedState, after: PinnedState, traffic: Traffic): void {
  // lb_tx_ports is recreated by every load on purpose (dataplane.ts releaseTxPorts).
  const ids = (s: PinnedState) => [...s.mapIds].filter(([n]) => n !== 'lb_tx_ports').sort();
  t.same(ids(after), ids(before), 'the same pinned maps (kernel map ids), none rebuilt');
  t.same([...after.vips].sort(), [...before.vips].sort(), 'VIP entries (ring ids, vip ids) unchanged');
  // Flows of earlier subtests may expire meanwhile; those of the running transfers must stay.
  t.equal(traffic.flows.size, 4, 'the two running flows hold a forward and a reverse entry each');
  const lost = [...traffic.flows].filter((k) => !after.flows.has(k));
  t.same(lost, [], 'their conntrack entries are all kept');
}

const SERVICE: ServiceSpec = { members: ['m1', 'm2', 'm3'] };

t.test('hitless: program upgrade, agent SIGKILL, member changes', async (t) => {
  const lab = await L4Lab.create(t, { tag: 'h', subnet: 10, members: 4 });
  const dir = mkdtempSync(join(tmpdir(), 'vxl-obj-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await lab.apply(SERVICE);

  t.test('replacing the XDP program under a transfer loses nothing and keeps conntrack', async (t) => {
    const next = buildVariant(dir);
    const traffic = await startTraffic(lab);
    const before = pinnedState(lab.pinRoot, lab.net, lab.amp, IFACES);

    t.equal(await lab.stopAgent('SIGTERM'), 0, 'the old agent exits cleanly, leaving the data plane');
    await lab.startAgent(next);
    await lab.waitLog('dataplane-open', /"event":"dataplane-open"[^\n]*/);
    await lab.apply(SERVICE, true);
    const after = pinnedState(lab.pinRoot, lab.net, lab.amp, IFACES);

    for (const ifname of IFACES) {
      const [b, a] = [before.programs.get(ifname), after.programs.get(ifname)];
      t.ok(b && a, `XDP attached on ${ifname} before and after`);
      t.not(a?.id, b?.id, `${ifname} runs a new program`);
      t.not(a?.tag, b?.tag, `${ifname} runs the new build (different instructions)`);
    }
    sameMaps(t, before, after, traffic);
    t.match(
      lab.agentLog,
      /"event":"maps-written","backends":0,"rings":0,"vips":0,"vips_deleted":0,"backends_deleted":0/,
      'the new agent finds the maps already right',
    );
    const p = await traffic.upload.progress(0);
    await traffic.upload.progress(p + 16 * MIB);
    t.pass('the transfer keeps going through the new program');
    await finishTraffic(t, traffic);
  });

  t.test('an upgrade that changes a map layout carries conntrack and config over', async (t) => {
    const resized = buildVariant(dir, 'xdp_lb-resized.bpf.o', ['-DLB_MAX_FLOWS=131072']);
    const traffic = await startTraffic(lab);
    let before = pinnedState(lab.pinRoot, lab.net, lab.amp, IFACES);

    // To the resized build and back: two upgrades whose lb_flows differs from the pinned one.
    for (const [build, object] of [
      ['the resized build', resized],
      ['the default build', undefined],
    ] as const) {
      t.equal(await lab.stopAgent('SIGTERM'), 0, `the agent exits cleanly before ${build}`);
      await lab.startAgent(object);
      const upgraded = await lab.waitLog('maps-upgraded', /^\{[^\n]*"event":"maps-upgraded"[^\n]*$/m);
      t.match(JSON.parse(upgraded), { carried: 1 }, `${build}: one map carried over`);
      await lab.apply(SERVICE, true);
      t.match(
        lab.agentLog,
        /"event":"maps-written","backends":0,"rings":0,"vips":0,"vips_deleted":0,"backends_deleted":0/,
        `${build}: the config maps were kept, nothing to write`,
      );
      const after = pinnedState(lab.pinRoot, lab.net, lab.amp, IFACES);
      t.not(after.mapIds.get('lb_flows'), before.mapIds.get('lb_flows'), `${build}: a new conntrack map`);
      const others = (s: typeof after) =>
        [...s.mapIds].filter(([n]) => n !== 'lb_flows' && n !== 'lb_tx_ports').sort();
      t.same(others(after), others(before), `${build}: every other map reused as it was`);
      const lost = [...traffic.flows].filter((k) => !after.flows.has(k));
      t.same(lost, [], `${build}: the running flows' conntrack entries came along`);
      const p = await traffic.upload.progress(0);
      await traffic.upload.progress(p + 8 * MIB);
      before = after;
    }
    await finishTraffic(t, traffic);
  });

  t.test('SIGKILL: forwarding continues without the agent; the restarted agent adopts', async (t) => {
    const traffic = await startTraffic(lab);
    const before = pinnedState(lab.pinRoot, lab.net, lab.amp, IFACES);

    t.equal(await lab.stopAgent('SIGKILL'), null, 'the agent is killed');
    t.match(lab.net.ip(lab.amp, 'link', 'show', 'vxlvip0'), /xdp/, 'XDP stays attached');
    const p = await traffic.upload.progress(0);
    await traffic.upload.progress(p + 16 * MIB);
    t.pass('bytes keep flowing while the agent is dead');
    const u = await traffic.udp.progress(0);
    await traffic.udp.progress(u + 400);
    t.pass('datagrams keep flowing while the agent is dead');

    await lab.startAgent();
    const open = await lab.waitLog('dataplane-open', /^\{[^\n]*"event":"dataplane-open"[^\n]*$/m);
    const adopted = JSON.parse(open) as {
      adopted_links: string[];
      adopted_vips: number;
      adopted_backends: number;
    };
    t.same([...adopted.adopted_links].sort(), [...IFACES].sort(), 'the pinned links adopted');
    t.ok(adopted.adopted_vips >= 2, `the pinned VIP entries adopted (${adopted.adopted_vips})`);
    t.equal(adopted.adopted_backends, SERVICE.members.length * 2, 'the pinned backends adopted');
    await lab.apply(SERVICE, true);
    t.match(
      lab.agentLog,
      /"event":"maps-written","backends":0,"rings":0,"vips":0,"vips_deleted":0,"backends_deleted":0/,
      'the same config over adopted maps writes nothing',
    );
    sameMaps(t, before, pinnedState(lab.pinRoot, lab.net, lab.amp, IFACES), traffic);
    await finishTraffic(t, traffic);
  });

  t.test('member changes never move an open connection', async (t) => {
    const held = await lab.hold(24);
    t.teardown(() => held.close());
    const first = held.members;
    t.notOk(first.includes(null), 'every connection answered');
    t.ok(new Set(first).size >= 2, `spread over members: ${first.join(' ')}`);

    const steps: { what: string; spec: ServiceSpec; gone?: string }[] = [
      { what: 'm4 added', spec: { members: ['m1', 'm2', 'm3', 'm4'] } },
      { what: 'm1 re-weighted to 5', spec: { members: [{ name: 'm1', weight: 5 }, 'm2', 'm3', 'm4'] } },
      {
        what: 'm2 drained (weight 0)',
        spec: { members: [{ name: 'm1', weight: 5 }, { name: 'm2', weight: 0 }, 'm3', 'm4'] },
      },
      {
        what: 'm3 removed',
        spec: { members: [{ name: 'm1', weight: 5 }, { name: 'm2', weight: 0 }, 'm4'] },
        gone: 'm3',
      },
    ];
    for (const step of steps) {
      await lab.apply(step.spec);
      const now = await held.ask();
      const moved = first.flatMap((m, i) =>
        now[i] === m || (m === step.gone && now[i] === null) ? [] : [`#${i} ${m} -> ${now[i]}`],
      );
      t.same(moved, [], `${step.what}: every connection still reaches its member`);
    }
    const c = lab.requests('tcp', 40);
    t.equal(c.failures, 0, 'new connections are served');
    t.notOk(
      c.answers.m2 || c.answers.m3,
      `none to the drained or removed member: ${JSON.stringify(c.answers)}`,
    );
  });
});
