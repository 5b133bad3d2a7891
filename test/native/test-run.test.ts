// BPF_PROG_TEST_RUN through the addon: the verdict and the packet as the program left it.
import t from 'tap';
import { compileBpf, prerequisites, tempDir, xdpPassSource } from './fixture.js';

const addon = prerequisites();
const XDP_PASS = 2;

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
