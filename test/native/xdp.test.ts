// XDP attachment through bpf_link on a veth pair: native and generic mode, netlink
// query, link pinning that outlives the handle, program swap, detach; and interface
// names resolved in the caller's network namespace.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BusyError, InvalidArgumentError, NotFoundError } from '../../src/native/errors.js';
import type { BpfObjectHandle } from '../../src/native/native.js';
import {
  compileBpf,
  countersSource,
  pinDir,
  prerequisites,
  repoRoot,
  sh,
  tempDir,
  xdpPassSource,
} from './fixture.js';

const addon = prerequisites();
const ns = 'vxn1';
const rootSide = 'vxn1a';
const nsSide = 'vxn1b';

function cleanNetwork(): void {
  for (const args of [
    ['netns', 'del', ns],
    ['link', 'del', rootSide],
  ]) {
    try {
      sh('ip', ...args);
    } catch {
      // absent already
    }
  }
}

cleanNetwork();
t.teardown(cleanNetwork);
try {
  sh('ip', 'netns', 'add', ns);
  sh('ip', 'link', 'add', rootSide, 'type', 'veth', 'peer', 'name', nsSide);
  sh('ip', 'link', 'set', nsSide, 'netns', ns);
  sh('ip', 'link', 'set', rootSide, 'up');
  sh('ip', '-n', ns, 'link', 'set', nsSide, 'up');
} catch (err) {
  throw new Error(
    `creating netns ${ns} and veth ${rootSide}/${nsSide} failed (needs CAP_NET_ADMIN): ${String(err)}`,
  );
}

const dir = tempDir(t);
function load(path: string): BpfObjectHandle {
  const obj = addon.loadObject(path, { pinRoot: pinDir(t) });
  t.teardown(() => addon.closeObject(obj));
  return obj;
}
const passObj = load(compileBpf(xdpPassSource, dir));
const countObj = load(compileBpf(countersSource, dir));
const passFd = addon.programFd(passObj, 'xdp_pass');
const countFd = addon.programFd(countObj, 'xdp_count');
const ifindex = addon.ifIndex(rootSide);

/** The name of a loaded program by id, as bpftool sees it. */
function progName(id: number): string {
  return (JSON.parse(sh('bpftool', 'prog', 'show', 'id', String(id), '--json')) as { name: string }).name;
}

t.test('ifIndex resolves names in the caller network namespace', async (t) => {
  const shown = JSON.parse(sh('ip', '-j', 'link', 'show', rootSide)) as { ifindex: number }[];
  t.equal(ifindex, shown[0]?.ifindex);
  const absent = t.throws(() => addon.ifIndex(nsSide), 'the peer lives in another namespace');
  t.type(absent, NotFoundError);
  t.match(absent, { syscall: 'if_nametoindex' });

  // A process entered into the namespace (as the agent is, with nsenter --net) sees the peer.
  const script = `const a = require(${JSON.stringify(join(repoRoot, 'build', 'Release', 'velox_native.node'))});
    process.stdout.write(String(a.ifIndex(${JSON.stringify(nsSide)})));`;
  const inside = execFileSync('nsenter', [`--net=/run/netns/${ns}`, process.execPath, '-e', script], {
    encoding: 'utf8',
  });
  const shownInside = JSON.parse(sh('ip', '-n', ns, '-j', 'link', 'show', nsSide)) as { ifindex: number }[];
  t.equal(Number(inside), shownInside[0]?.ifindex);
});

t.test('native attach, pin, reopen, swap program, unpin and detach', async (t) => {
  t.equal(addon.queryXdp(ifindex), null, 'nothing attached at first');
  const { link, mode } = addon.attachXdp(passFd, ifindex, 'native');
  let live = link;
  t.teardown(() => {
    try {
      addon.destroyLink(live);
    } catch {
      // destroyed by the test
    }
  });
  t.equal(mode, 'native');
  const attached = addon.queryXdp(ifindex);
  t.equal(attached?.mode, 'native');
  t.equal(progName(attached?.progId ?? 0), 'xdp_pass');

  const busy = t.throws(() => addon.detachXdp(ifindex, 'native'), 'netlink cannot detach a link');
  t.type(busy, BusyError);
  t.match(busy, { syscall: 'bpf_xdp_detach' });

  const pin = join(pinDir(t), 'link');
  mkdirSync(dirname(pin));
  addon.pinLink(link, pin);
  addon.destroyLink(link);
  t.throws(() => addon.destroyLink(link), TypeError, 'a destroyed handle is refused');
  t.equal(addon.queryXdp(ifindex)?.progId, attached?.progId, 'the pin keeps the program attached');

  live = addon.openPinnedLink(pin);
  addon.updateLink(live, countFd);
  const swapped = addon.queryXdp(ifindex);
  t.equal(swapped?.mode, 'native');
  t.equal(progName(swapped?.progId ?? 0), 'xdp_count');

  addon.unpin(pin);
  addon.destroyLink(live);
  t.equal(addon.queryXdp(ifindex), null, 'unpinned and destroyed: detached');
});

t.test('generic mode when asked', async (t) => {
  const { link, mode } = addon.attachXdp(passFd, ifindex, 'generic');
  t.teardown(() => addon.destroyLink(link));
  t.equal(mode, 'generic');
  t.match(addon.queryXdp(ifindex), { mode: 'generic' });
  t.equal(progName(addon.queryXdp(ifindex)?.progId ?? 0), 'xdp_pass');
});

t.test('detachXdp removes a program attached by netlink', async (t) => {
  // bpftool attaches by netlink (no link) and, unlike `ip link ... obj`, leaves no dirs in bpffs.
  const pinned = join(pinDir(t), 'prog');
  mkdirSync(dirname(pinned));
  addon.pinObject(passFd, pinned);
  t.teardown(() => {
    try {
      sh('bpftool', 'net', 'detach', 'xdpgeneric', 'dev', rootSide);
    } catch {
      // detached already
    }
  });
  sh('bpftool', 'net', 'attach', 'xdpgeneric', 'pinned', pinned, 'dev', rootSide);
  t.match(addon.queryXdp(ifindex), { mode: 'generic' });
  addon.detachXdp(ifindex, 'generic');
  t.equal(addon.queryXdp(ifindex), null);
});

t.test('attaching to a missing interface is a named error', async (t) => {
  // The kernel answers EINVAL, not ENODEV, for an unknown ifindex in BPF_LINK_CREATE.
  const err = t.throws(() => addon.attachXdp(passFd, 0x7ffffff0, 'native'));
  t.type(err, InvalidArgumentError);
  t.match(err, { syscall: 'bpf_link_create', message: /ifindex 2147483632/ });
  t.throws(() => addon.attachXdp(passFd, ifindex, 'offload' as 'native'), TypeError);
});
