// layout() and constants() report bpf/lb.h as the C compiler sees it.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { native } from '../../src/native/native.js';
import { repoRoot } from './fixture.js';

const addon = native(); // no privileges needed: nothing here touches the kernel
const header = readFileSync(join(repoRoot, 'bpf', 'lb.h'), 'utf8');

t.test('every struct of lb.h is reported with the size its static_assert states', async (t) => {
  const layout = addon.layout();
  const asserted = [...header.matchAll(/_Static_assert\(sizeof\(struct (\w+)\) == (\d+)/g)];
  t.ok(asserted.length >= 8);
  t.same(Object.keys(layout).sort(), asserted.map((m) => m[1]).sort());
  for (const [, name, size] of asserted) t.equal(layout[name!]?.size, Number(size), `${name} size`);
});

t.test('field offsets follow the header', async (t) => {
  const layout = addon.layout();
  t.same(layout.lb_flow?.offsets, {
    nat_src: 0,
    nat_dst: 16,
    nat_sport: 32,
    nat_dport: 34,
    backend_id: 36,
    vip_id: 40,
    dir: 44,
    state: 45,
    sweep_mark: 46,
    l2_dst: 48,
    l2_src: 54,
    ifindex: 60,
    last_seen_ns: 64,
  });
  t.match(layout.lb_vip_key?.offsets, { addr: 0, port: 16, proto: 18, family: 19 });
  t.match(layout.lb_backend?.offsets, { addr: 0, snat: 16, port: 32, family: 34, flags: 35, weight: 36 });
  t.match(layout.lb_flow_key?.offsets, {
    src: 0,
    dst: 16,
    sport: 32,
    dport: 34,
    proto: 36,
    family: 37,
    pad: 38,
  });
  t.match(layout.lb_stats?.offsets, { rx_packets: 0, drops: 40 });
  // Every field the header declares is reported.
  for (const [, name, body] of header.matchAll(/struct (\w+) \{([^}]*)\};/g)) {
    const fields = [...body!.matchAll(/^\s*__\w+ (\w+)(?:\[\d+\])?;/gm)].map((m) => m[1]);
    const offsets = layout[name!]?.offsets ?? {};
    t.same(Object.keys(offsets).sort(), fields.sort(), `${name} fields`);
  }
});

t.test('constants and map names match the header', async (t) => {
  const c = addon.constants();
  const numbers = [
    ...header.matchAll(/^#define (LB_\w+) (\d+)\b/gm),
    ...header.matchAll(/^\s*(LB_EXIT_\w+) = (\d+),/gm),
  ];
  t.ok(numbers.length > 20);
  for (const [, name = '', value] of numbers) t.equal(c[name], Number(value), name);
  for (const [, name = '', value] of header.matchAll(/^#define (LB_\w+) "(\w+)"/gm))
    t.equal(c[name], value, name);
  t.equal(c.LB_VIP_F_ENABLED, 1);
  t.equal(c.LB_MAP_FLOWS, 'lb_flows');
  t.equal(c.LB_EXIT_PASS_NOT_IP, 0);
});
