import t from 'tap';
import { LB_RING_SIZE, RING_EMPTY, ringEntry } from '../../src/dataplane/codecs.js';
import { maglevTable, type MaglevBackend } from '../../src/dataplane/maglev.js';

const M = LB_RING_SIZE;

function members(n: number, weight = 1): MaglevBackend[] {
  return Array.from({ length: n }, (_, i) => ({ id: i, weight, key: `member-${i}` }));
}

function counts(table: Uint32Array): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of table) out.set(entry, (out.get(entry) ?? 0) + 1);
  return out;
}

t.test('no backend, or only weight 0, leaves every slot empty', async (t) => {
  t.ok(maglevTable([]).every((e) => e === RING_EMPTY));
  t.ok(maglevTable([{ id: 3, weight: 0, key: 'a' }]).every((e) => e === RING_EMPTY));
  t.equal(maglevTable([]).length, M);
});

t.test('one backend fills the table with its ring entry (id + 1)', async (t) => {
  const table = maglevTable([{ id: 0, weight: 5, key: 'only' }]);
  t.ok(table.every((e) => e === ringEntry(0)));
  t.equal(ringEntry(0), 1);
});

t.test('100 equal members each get M/100 slots within a few percent', async (t) => {
  const table = maglevTable(members(100));
  const c = counts(table);
  t.notOk(c.has(RING_EMPTY), 'no empty slot');
  t.equal(c.size, 100);
  const fair = M / 100;
  for (const [entry, n] of c) {
    t.ok(Math.abs(n - fair) <= fair * 0.05, `entry ${entry}: ${n} slots, fair share ${fair.toFixed(1)}`);
  }
});

t.test('the table does not depend on input order', async (t) => {
  const list = members(20);
  t.same(maglevTable([...list].reverse()), maglevTable(list));
});

t.test('removing one of N members remaps its slots and few others', async (t) => {
  const n = 100;
  const before = maglevTable(members(n));
  const removed = ringEntry(42);
  const after = maglevTable(members(n).filter((m) => m.id !== 42));
  let ownMoved = 0;
  let othersMoved = 0;
  for (let i = 0; i < M; i++) {
    if (before[i] === removed) {
      ownMoved++;
      t.not(after[i], removed);
    } else if (before[i] !== after[i]) othersMoved++;
  }
  t.ok(ownMoved > 0);
  t.ok(othersMoved < (2 * M) / n, `${othersMoved} other slots moved, bound ${(2 * M) / n}`);
});

t.test('adding a member takes about 1/N of the slots, mostly from others fairly', async (t) => {
  const before = maglevTable(members(10));
  const after = maglevTable(members(11));
  let changed = 0;
  for (let i = 0; i < M; i++) if (before[i] !== after[i]) changed++;
  t.ok(changed < (2 * M) / 11, `${changed} slots changed`);
});

t.test('weights are proportional', async (t) => {
  const table = maglevTable([
    { id: 1, weight: 1, key: 'light' },
    { id: 2, weight: 2, key: 'middle' },
    { id: 3, weight: 5, key: 'heavy' },
  ]);
  const c = counts(table);
  const share = (id: number): number => (c.get(ringEntry(id)) ?? 0) / M;
  t.ok(Math.abs(share(1) - 1 / 8) < 0.01, `light ${share(1)}`);
  t.ok(Math.abs(share(2) - 2 / 8) < 0.01, `middle ${share(2)}`);
  t.ok(Math.abs(share(3) - 5 / 8) < 0.01, `heavy ${share(3)}`);
});

t.test('bad input is refused', async (t) => {
  t.throws(() => maglevTable([{ id: 1, weight: -1, key: 'a' }]), RangeError);
  t.throws(
    () =>
      maglevTable([
        { id: 1, weight: 1, key: 'a' },
        { id: 2, weight: 1, key: 'a' },
      ]),
    RangeError,
  );
});
