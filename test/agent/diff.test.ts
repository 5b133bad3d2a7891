// The diff: only what changed, in an order that never exposes a half-written service.
import t from 'tap';
import { diff, isEmptyPlan, planSize } from '../../src/dataplane/diff.js';
import { cidrKeyId, emptyState, type MapState } from '../../src/dataplane/state.js';

function state(
  backends: [number, string][],
  vips: [string, number, number][],
  rings: [number, number[]][],
): MapState {
  const s = emptyState();
  for (const [id, address] of backends) {
    s.backends.set(id, { address, port: 80, snat: '10.1.0.2', flags: 1, weight: 1 });
  }
  for (const [address, ringId, vipId] of vips) {
    s.vips.set(`TCP ${address} 80`, {
      address,
      port: 80,
      protocol: 'TCP',
      flags: 1,
      ringId,
      vipId,
      connLimit: 0,
      idleTimeoutMs: 50000,
      synTimeoutMs: 5000,
    });
  }
  for (const [id, entries] of rings) s.rings.set(id, Uint32Array.from(entries));
  return s;
}

t.test('same state: nothing to do', async (t) => {
  const s = state([[0, '10.1.0.11']], [['10.0.0.1', 0, 0]], [[0, [1, 1]]]);
  t.ok(isEmptyPlan(diff(s, state([[0, '10.1.0.11']], [['10.0.0.1', 0, 0]], [[0, [1, 1]]]))));
});

t.test('adding: backends, then the spare ring, then the VIP flip', async (t) => {
  const current = state([[0, '10.1.0.11']], [['10.0.0.1', 0, 0]], [[0, [1, 1]]]);
  const desired = state(
    [
      [0, '10.1.0.11'],
      [1, '10.1.0.12'],
    ],
    [['10.0.0.1', 1, 0]],
    [[1, [1, 2]]],
  );
  const plan = diff(current, desired);
  t.same(
    plan.backendsUpsert.map(([id]) => id),
    [1],
  );
  t.same(
    plan.ringsWrite.map(([id]) => id),
    [1],
  );
  t.same(
    plan.vipsUpsert.map((v) => v.ringId),
    [1],
  );
  t.same(plan.vipsDelete, []);
  t.same(plan.backendsDelete, [], 'the old ring is left in place, not cleared under in-flight packets');
});

t.test('removing a service: its VIP entry and backends go', async (t) => {
  const current = state(
    [
      [0, '10.1.0.11'],
      [1, '10.1.0.12'],
    ],
    [
      ['10.0.0.1', 0, 0],
      ['10.0.0.2', 2, 1],
    ],
    [
      [0, [1]],
      [2, [2]],
    ],
  );
  const desired = state([[0, '10.1.0.11']], [['10.0.0.1', 0, 0]], [[0, [1]]]);
  const plan = diff(current, desired);
  t.same(
    plan.vipsDelete.map((v) => v.address),
    ['10.0.0.2'],
  );
  t.same(plan.backendsDelete, [1]);
  t.same(plan.backendsUpsert, []);
  t.same(plan.ringsWrite, []);
});

t.test('a changed backend (flags) is rewritten in place', async (t) => {
  const current = state([[0, '10.1.0.11']], [], []);
  const desired = state([[0, '10.1.0.11']], [], []);
  desired.backends.get(0)!.flags = 0;
  t.same(
    diff(current, desired).backendsUpsert.map(([id]) => id),
    [0],
  );
});

t.test('a changed weight, limit or timeout is rewritten; nothing else is', async (t) => {
  const current = state([[0, '10.1.0.11']], [['10.0.0.1', 0, 0]], [[0, [1]]]);
  for (const change of [
    (s: MapState) => (s.backends.get(0)!.weight = 0),
    (s: MapState) => (s.vips.get('TCP 10.0.0.1 80')!.connLimit = 100),
    (s: MapState) => (s.vips.get('TCP 10.0.0.1 80')!.idleTimeoutMs = 1000),
    (s: MapState) => (s.vips.get('TCP 10.0.0.1 80')!.synTimeoutMs = 1000),
  ]) {
    const desired = state([[0, '10.1.0.11']], [['10.0.0.1', 0, 0]], [[0, [1]]]);
    change(desired);
    const plan = diff(current, desired);
    t.equal(planSize(plan), 1, 'one entry rewritten');
  }
});

t.test('allowed_cidrs: new prefixes before the VIP entry, stale ones after its removal', async (t) => {
  const cidr = (vipId: number, address: string, prefix: number) => ({ vipId, address, prefix });
  const current = state([], [['10.0.0.1', 0, 0]], []);
  current.cidrs.set(cidrKeyId(cidr(0, '192.0.2.0', 24)), cidr(0, '192.0.2.0', 24));
  const desired = state([], [['10.0.0.1', 0, 0]], []);
  desired.vips.get('TCP 10.0.0.1 80')!.flags |= 1 << 4;
  desired.cidrs.set(cidrKeyId(cidr(0, '198.51.100.0', 24)), cidr(0, '198.51.100.0', 24));
  const plan = diff(current, desired);
  t.same(plan.cidrsInsert, [cidr(0, '198.51.100.0', 24)]);
  t.same(plan.cidrsDelete, [cidr(0, '192.0.2.0', 24)]);
  t.equal(plan.vipsUpsert.length, 1, 'the VIP flag flips between the two');
  t.ok(isEmptyPlan(diff(desired, desired)));
});
