// Native XDP or nothing, unless generic mode is asked for: an interface whose driver has
// no native XDP (a bridge) makes Apply fail with XdpAttachError, and generic_xdp works.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const dataplaneJs = join(root, 'dist/src/dataplane/dataplane.js');
const ns = 'vxadum';
const pinRoot = `/sys/fs/bpf/vxa-dum-${process.pid}`;

// Runs inside the namespace, so the sysctls and interfaces it touches are the namespace's.
const SCRIPT = `
const { Dataplane } = await import(process.argv[1]);
const generic = process.argv[3] === 'generic';
const log = { info() {}, warn() {}, error() {} };
const dp = new Dataplane({ bpfObject: process.argv[4], pinRoot: process.argv[2], log });
const config = {
  version: '1', amphora_id: 'a', loadbalancer_id: 'l',
  interfaces: [{ name: 'dum0', role: 'VIP', addresses: ['10.202.0.2/24'] }],
  listeners: [], pools: [], dataplane: { generic_xdp: generic, snat_port_min: 0, snat_port_max: 0 },
};
try {
  await dp.apply(config);
  console.log(JSON.stringify({ ok: true, interfaces: dp.interfaces() }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, name: e.name, message: e.message }));
}
await dp.close(true);
`;

function runIn(mode: string): { ok: boolean; name?: string; message?: string; interfaces?: unknown } {
  const out = execFileSync(
    'nsenter',
    [
      `--net=/run/netns/${ns}`,
      process.execPath,
      '--input-type=module',
      '-e',
      SCRIPT,
      dataplaneJs,
      `${pinRoot}-${mode}`,
      mode,
      join(root, 'bpf/xdp_lb.bpf.o'),
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop()!);
}

t.test('native mode is required unless generic is asked for', (t) => {
  if (process.getuid?.() !== 0) throw new Error('needs root: network namespaces and XDP');
  if (!existsSync(dataplaneJs)) throw new Error(`${dataplaneJs} is missing: run make build`);
  t.teardown(() => {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    for (const m of ['native', 'generic']) rmSync(`${pinRoot}-${m}`, { recursive: true, force: true });
  });
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', ['-n', ns, 'link', 'add', 'dum0', 'type', 'bridge']); // no native XDP in its driver
  execFileSync('ip', ['-n', ns, 'link', 'set', 'dum0', 'up']);

  const native = runIn('native');
  t.equal(native.ok, false, 'a bridge has no native XDP');
  t.equal(native.name, 'XdpAttachError');
  t.match(native.message, /native mode to dum0.*generic_xdp/);

  const generic = runIn('generic');
  t.equal(generic.ok, true, `generic mode attaches: ${generic.message ?? ''}`);
  t.same(generic.interfaces, [{ name: 'dum0', xdp_mode: 'generic' }], 'the mode in effect is reported');
  t.end();
});
