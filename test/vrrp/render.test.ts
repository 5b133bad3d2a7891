// The keepalived.conf renderer: golden files for representative configs, each accepted by
// `keepalived -t` (the test fails, naming keepalived, where it is not installed). keepalived
// checks that the interfaces exist: the check runs in a namespace with interfaces of those names.
// UPDATE_GOLDEN=1 rewrites the golden files.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Netns, requireNetnsPrivileges } from '../lib/netns.js';
import { requireKeepalived } from './keepalived.js';
import type { Vrrp__Output } from '../../src/grpc/gen/velox/agent/v1/Vrrp.js';
import { checkScript, keepalivedPaths, notifyScript } from '../../src/vrrp/paths.js';
import { renderKeepalived } from '../../src/vrrp/render.js';
import { floating, GOLDEN_CASES, vrrp } from './golden-cases.js';

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const PATHS = keepalivedPaths('/run/velox/amp-1/keepalived');

requireNetnsPrivileges();
requireKeepalived();
const net = new Netns('vxvr');
const ns = net.add(`vxvr-gold-${process.pid}`);
t.teardown(() => net.cleanup());
for (const i of ['vip0', 'mem0', 'mem1'])
  net.ip(ns, 'link', 'add', i, 'type', 'veth', 'peer', 'name', `${i}p`);

/** `keepalived -t` on `config` rendered with paths in a scratch directory that has the scripts. */
function keepalivedCheck(
  config: Vrrp__Output,
  edit = (text: string) => text,
): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vxvr-golden-'));
  try {
    const paths = keepalivedPaths(dir);
    writeFileSync(paths.checkScript, checkScript(paths), { mode: 0o755 });
    writeFileSync(paths.notifyScript, notifyScript(paths), { mode: 0o755 });
    writeFileSync(join(dir, 'keepalived.conf'), edit(renderKeepalived(config, paths)));
    const args = [`--net=/run/netns/${ns}`, 'keepalived', '-t', '-f', join(dir, 'keepalived.conf')];
    const output = execFileSync('nsenter', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, output };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [name, config] of Object.entries(GOLDEN_CASES)) {
  t.test(`golden: ${name}`, async (t) => {
    const text = renderKeepalived(config, PATHS, 'amp-1');
    const file = join(goldenDir, `${name}.conf`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
    t.ok(existsSync(file), `golden/${name}.conf exists (UPDATE_GOLDEN=1 writes it)`);
    t.equal(text, readFileSync(file, 'utf8'), `matches golden/${name}.conf`);
    const check = keepalivedCheck(config);
    t.ok(check.ok, `keepalived -t accepts it: ${check.output}`);
  });
}

t.test('keepalived -t refuses what it cannot run (the check can fail)', async (t) => {
  t.notOk(keepalivedCheck(vrrp(), (text) => text.replace('priority 100', 'priority abc')).ok);
  t.notOk(keepalivedCheck(vrrp({ interface: 'nosuch0' })).ok, 'an interface the amphora lacks');
});

t.test('both amphorae start BACKUP with nopreempt, whatever the initial role', async (t) => {
  for (const role of ['MASTER', 'BACKUP']) {
    const text = renderKeepalived(vrrp({ initial_role: role }), PATHS);
    t.match(text, /^ {4}state BACKUP$/m);
    t.match(text, /^ {4}nopreempt$/m);
  }
});

t.test('each family goes where keepalived accepts it', async (t) => {
  const v4 = renderKeepalived(
    vrrp({ floating: [floating('vip0', '172.30.1.10/24'), floating('vip0', 'fd00::10/64')] }),
    PATHS,
  );
  t.match(v4, /virtual_ipaddress \{\n\s+172\.30\.1\.10\/24 dev vip0\n\s+\}/);
  t.match(v4, /virtual_ipaddress_excluded \{\n\s+fd00::10\/64 dev vip0\n\s+\}/);
  const v6 = renderKeepalived(
    vrrp({
      vrrp_ip: 'fd00::11',
      peer_ips: ['fd00::12'],
      floating: [floating('vip0', '172.30.1.10/24'), floating('vip0', 'fd00::10/64')],
    }),
    PATHS,
  );
  t.match(v6, /virtual_ipaddress \{\n\s+fd00::10\/64 dev vip0\n\s+\}/);
  t.match(v6, /virtual_ipaddress_excluded \{\n\s+172\.30\.1\.10\/24 dev vip0\n\s+\}/);
  t.notMatch(v6, /authentication/, 'VRRPv3 (IPv6) has no authentication');
});

t.test('member interfaces with floating addresses are tracked', async (t) => {
  const text = renderKeepalived(GOLDEN_CASES['member-networks']!, PATHS);
  t.match(text, /track_interface \{\n\s+mem0\n\s+mem1\n\s+\}/);
});
