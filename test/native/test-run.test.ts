// BPF_PROG_TEST_RUN through the addon: the verdict and the packet as the program left it.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { NotFoundError } from '../../src/native/errors.js';
import { compileBpf, prerequisites, repoRoot, tempDir, xdpPassSource } from './fixture.js';

const addon = prerequisites();
const XDP_PASS = 2;
const ingressSource = join(repoRoot, 'test', 'native', 'fixtures', 'ingress.bpf.c');

t.test('xdp_pass returns XDP_PASS and leaves the packet unchanged', async (t) => {
  const obj = addon.loadObject(compileBpf(xdpPassSource, tempDir(t)));
  t.teardown(() => addon.closeObject(obj));
  const fd = addon.programFd(obj, 'xdp_pass');
  // An Ethernet frame carrying a few IPv4-looking bytes; content is irrelevant to xdp_pass.
  const packet = Buffer.from(Array.from({ length: 74 }, (_, i) => (i * 37) & 0xff));
  packet.writeUInt16BE(0x0800, 12);
  const once = addon.testRun(fd, packet);
  t.equal(once.retval, XDP_PASS);
  t.same(once.data, packet);
  t.type(once.durationNs, 'number');

  const many = addon.testRun(fd, packet, 100);
  t.equal(many.retval, XDP_PASS);
  t.same(many.data, packet);
});

t.test('a packet shorter than an Ethernet header is refused by the kernel', async (t) => {
  const obj = addon.loadObject(compileBpf(xdpPassSource, tempDir(t)));
  t.teardown(() => addon.closeObject(obj));
  const err = t.throws(() => addon.testRun(addon.programFd(obj, 'xdp_pass'), Buffer.alloc(4)));
  t.match(err, { code: 'EINVAL', syscall: 'bpf_prog_test_run_opts' });
  t.throws(() => addon.testRun(addon.programFd(obj, 'xdp_pass'), Buffer.alloc(64), 0), TypeError);
});

t.test('programFd names the missing program', async (t) => {
  const obj = addon.loadObject(compileBpf(xdpPassSource, tempDir(t)));
  t.teardown(() => addon.closeObject(obj));
  t.throws(() => addon.programFd(obj, 'xdp_nope'), { code: 'ENOENT', message: /xdp_nope/ });
});

t.test('ingressIfindex: the packet arrives on that interface', async (t) => {
  const path = compileBpf(ingressSource, tempDir(t));
  const obj = addon.loadObject(path);
  t.teardown(() => addon.closeObject(obj));
  const fd = addon.programFd(obj, 'xdp_ingress');
  const packet = Buffer.alloc(64);
  packet.writeUInt16BE(0x0800, 12);
  const lo = addon.ifIndex('lo');

  const plain = addon.testRun(fd, packet);
  t.equal(plain.retval, XDP_PASS);
  t.equal(plain.data.readUInt32LE(0), lo, 'without it the kernel uses the loopback device');
  const onLo = addon.testRun(fd, packet, 1, { ingressIfindex: lo });
  t.equal(onLo.retval, XDP_PASS);
  t.equal(onLo.data.readUInt32LE(0), lo);
  t.same(onLo.data.subarray(4), packet.subarray(4), 'the rest of the packet untouched');

  const missing = t.throws(() => addon.testRun(fd, packet, 1, { ingressIfindex: 0x7ffffff0 }));
  t.type(missing, NotFoundError, 'an index with no interface in this namespace');
  t.match(missing, { code: 'ENODEV', syscall: 'bpf_prog_test_run_opts' });
  for (const bad of [0, -1, 1.5, '1']) {
    t.throws(
      () => addon.testRun(fd, packet, 1, { ingressIfindex: bad as number }),
      TypeError,
      `ingressIfindex ${JSON.stringify(bad)} refused`,
    );
  }

  // A veth in a private, unnamed network namespace (gone with the process): the
  // program sees its index, not the loopback's.
  const script = `const a = require(${JSON.stringify(join(repoRoot, 'build', 'Release', 'velox_native.node'))});
    const obj = a.loadObject(${JSON.stringify(path)});
    const ifindex = a.ifIndex('vxh6a');
    const packet = Buffer.alloc(64);
    packet.writeUInt16BE(0x0800, 12);
    const r = a.testRun(a.programFd(obj, 'xdp_ingress'), packet, 1, { ingressIfindex: ifindex });
    a.closeObject(obj);
    process.stdout.write(JSON.stringify({ ifindex, retval: r.retval, seen: r.data.readUInt32LE(0) }));`;
  let out: string;
  try {
    out = execFileSync(
      'unshare',
      [
        '--net',
        'sh',
        '-c',
        'ip link add vxh6a type veth peer name vxh6b && exec "$0" -e "$1"',
        process.execPath,
        script,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 },
    );
  } catch (err) {
    throw new Error(`unshare --net with a veth failed (needs CAP_SYS_ADMIN, CAP_NET_ADMIN): ${String(err)}`);
  }
  const inside = JSON.parse(out) as { ifindex: number; retval: number; seen: number };
  t.not(inside.ifindex, lo);
  t.equal(inside.retval, XDP_PASS);
  t.equal(inside.seen, inside.ifindex, 'ctx->ingress_ifindex is the veth');
});
