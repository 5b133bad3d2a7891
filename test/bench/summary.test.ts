import t from 'tap';
import { REFERENCE, VARIANT } from '../../bench/dataplane/figures.js';
import { pairedRatios, spread, summarize } from '../../bench/dataplane/summary.js';
import { ok, rawRun } from './fixture.js';

t.test('spread: median of an odd and an even count, min, max; nothing for no samples', async (t) => {
  t.same(spread([3, 1, 2]), { median: 2, min: 1, max: 3, n: 3 });
  t.same(spread([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, n: 4 });
  t.same(spread([7]), { median: 7, min: 7, max: 7, n: 1 });
  t.equal(spread([]), undefined);
});

t.test('ratios pair rounds and skip a round either side failed', async (t) => {
  t.same(pairedRatios([ok(10), ok(30), ok(8)], [ok(5), { error: 'x' }, ok(4)]), [2, 2]);
  t.same(pairedRatios([ok(10)], undefined), []);
  t.same(pairedRatios([ok(10), ok(10)], [ok(5)]), [2], 'unequal lengths: only common rounds');
});

t.test('rows: costs, ratio against kernel forwarding, n/a reasons, failures', async (t) => {
  const r = summarize(rawRun());
  t.equal(r.reference, REFERENCE);
  const packet = r.figures.find((f) => f.id === 'packet')!;
  t.same(
    packet.rows.map((row) => row.variant),
    [VARIANT.fwd, VARIANT.velox, VARIANT.kernel, VARIANT.nft, VARIANT.haproxy],
  );
  const velox = packet.rows[1]!;
  t.same(velox.cost, { median: 210, min: 120, max: 300, n: 2 });
  t.same(velox.vsReference, { median: 0.4, min: 0.3, max: 0.5, n: 2 });
  t.same(packet.rows[2]!.vsReference, { median: 1, min: 1, max: 1, n: 2 });
  t.equal(packet.rows[4]!.na, 'no UDP');
  t.equal(packet.rows[4]!.cost, undefined);

  const newFlow = r.figures.find((f) => f.id === 'newFlow')!;
  t.same(newFlow.rows[1]!.cost, { median: 200, min: 200, max: 200, n: 1 });
  t.same(newFlow.rows[1]!.failures, ['agent <died> & gone']);

  const conn = r.figures.find((f) => f.id === 'connection')!;
  t.same(conn.rows[4]!.cost?.median, 30_000);
  t.equal(conn.rows[4]!.vsReference, undefined, 'no kernel sample in that figure: no ratio');
  t.equal(conn.rows[0]!.cost, undefined, 'never measured: no cost');
  t.same(conn.rows[0]!.failures, []);
});

t.test('targets: judged on the median of per-round ratios', async (t) => {
  const [perPacket, cheaperPacket, cheaperFlow] = summarize(rawRun()).targets;
  // velox / fwd per round: 1.2 and 1.5 -> median 1.35 > 1.3
  t.equal(perPacket!.ratio!.median, 1.35);
  t.equal(perPacket!.met, false);
  t.equal(perPacket!.limit, '≤ 1.3');
  // nft / velox per round: 5 and 3 -> median 4 >= 4
  t.equal(cheaperPacket!.ratio!.median, 4);
  t.equal(cheaperPacket!.met, true);
  // new flow: only round 1 pairs (velox failed round 2): 800 / 200 = 4 >= 3
  t.same(cheaperFlow!.ratio, { median: 4, min: 4, max: 4, n: 1 });
  t.equal(cheaperFlow!.met, true);
});

t.test('a target whose sides never both succeeded is not judged', async (t) => {
  const run = rawRun();
  run.samples[VARIANT.velox]!.packet = [{ error: 'a' }, { error: 'b' }];
  const target = summarize(run).targets[0]!;
  t.equal(target.ratio, undefined);
  t.equal(target.met, undefined);
});
