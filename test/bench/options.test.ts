import t from 'tap';
import { benchOptions, BenchOptionError } from '../../bench/options.js';

t.test('defaults: both benchmarks, five rounds, two-second runs', async (t) => {
  const o = benchOptions([]);
  t.equal(o.control, true);
  t.equal(o.dataplane, true);
  t.equal(o.quick, false);
  t.equal(o.controlRounds, 5);
  t.equal(o.plane.rounds, 5);
  t.equal(o.plane.seconds, 2);
  t.equal(o.plane.synSeconds, 1);
});

t.test('--only, --rounds, --seconds', async (t) => {
  const o = benchOptions(['--only', 'dataplane', '--rounds', '3', '--seconds', '0.5']);
  t.equal(o.control, false);
  t.equal(o.dataplane, true);
  t.equal(o.plane.rounds, 3);
  t.equal(o.plane.seconds, 0.5);
  t.equal(o.plane.synSeconds, 0.5, 'new-flow runs never longer than the others');
  t.equal(benchOptions(['--only=control']).dataplane, false);
});

t.test('--quick: one short round unless told otherwise', async (t) => {
  const o = benchOptions(['--quick']);
  t.equal(o.quick, true);
  t.equal(o.plane.rounds, 1);
  t.equal(o.controlRounds, 1);
  t.equal(o.plane.seconds, 0.5);
  t.equal(benchOptions(['--quick', '--rounds', '2']).plane.rounds, 2);
});

t.test('bad input is refused with a named error', async (t) => {
  for (const argv of [
    ['--rounds', '0'],
    ['--rounds', '1.5'],
    ['--rounds', 'many'],
    ['--seconds', '-1'],
    ['--only', 'both'],
    ['--unknown'],
    ['positional'],
  ]) {
    t.throws(() => benchOptions(argv), BenchOptionError, argv.join(' '));
  }
  t.throws(() => benchOptions(['--help']), { message: /^usage: node dist\/bench\/run\.js/ });
  t.throws(() => benchOptions(['--only', 'both']), {
    message: /--only must be "dataplane", "control", "api", "haproxy" or "api-change", not "both"/,
  });
});
