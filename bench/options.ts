// `node dist/bench/run.js [--rounds N] [--only dataplane|control|api|haproxy|api-change] [--quick] [--seconds S]`:
// what to run and for how long. Pure, so that bad input is refused before anything starts.
import { parseArgs } from 'node:util';
import type { ApiOptions } from './api-summary.js';
import type { DataplaneOptions } from './dataplane/measure.js';
import type { L7Options } from './l7/summary.js';

export class BenchOptionError extends Error {
  override name = 'BenchOptionError';
}

export interface BenchOptions {
  control: boolean;
  dataplane: boolean;
  quick: boolean;
  controlRounds: number;
  plane: DataplaneOptions;
  api: boolean;
  apiRun: ApiOptions;
  /** HTTP through the agent's HAProxy path against bare HAProxy (bench/l7). */
  haproxy: boolean;
  haproxyRun: L7Options;
  /** API change → new behaviour served, on a real amphora (bench/l7/api-change.ts). */
  apiChange: boolean;
  apiChangeRounds: number;
}

const ONLY = ['dataplane', 'control', 'api', 'haproxy', 'api-change'] as const;

export const USAGE =
  'usage: node dist/bench/run.js [--rounds N] [--only dataplane|control|api|haproxy|api-change] [--quick] [--seconds S]\n' +
  '  --rounds N   rounds of each benchmark (default: control 5, data plane 5, API 5, haproxy 5,\n' +
  '               api-change 5; --quick: 1)\n' +
  '  --only X     run only the data-plane, control-plane, API, HTTP-through-HAProxy or\n' +
  '               API-change benchmark\n' +
  '  --quick      a smoke check: one short round, figures not comparable, nothing written\n' +
  '  --seconds S  length of each data-plane run and API list/show run (default 2; --quick: 0.5);\n' +
  '               HTTP runs take it rounded to whole seconds, at least 1';

function positive(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new BenchOptionError(
      `--${name} must be a positive ${integer ? 'integer' : 'number'}, not "${value}"`,
    );
  return n;
}

export function benchOptions(argv: string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        rounds: { type: 'string' },
        only: { type: 'string' },
        quick: { type: 'boolean', default: false },
        seconds: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new BenchOptionError(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.help) throw new BenchOptionError(USAGE);
  const only = values.only;
  if (only !== undefined && !(ONLY as readonly string[]).includes(only))
    throw new BenchOptionError(
      `--only must be ${ONLY.slice(0, -1)
        .map((o) => `"${o}"`)
        .join(', ')} or "${ONLY[ONLY.length - 1]}", not "${only}"`,
    );
  const quick = values.quick === true;
  const rounds = positive('rounds', values.rounds, true);
  const seconds = positive('seconds', values.seconds, false) ?? (quick ? 0.5 : 2);
  return {
    control: only === undefined || only === 'control',
    dataplane: only === undefined || only === 'dataplane',
    quick,
    controlRounds: rounds ?? (quick ? 1 : 5),
    plane: {
      rounds: rounds ?? (quick ? 1 : 5),
      seconds,
      synSeconds: Math.min(seconds, 1),
      warmSeconds: quick ? 0.2 : 0.5,
      flows: 64,
      payload: 64,
      concurrency: 16,
      streams: 4,
    },
    api: only === undefined || only === 'api',
    apiRun: { rounds: rounds ?? (quick ? 1 : 5), seconds, concurrency: 16, sizes: [10, 100, 1000] },
    haproxy: only === undefined || only === 'haproxy',
    haproxyRun: {
      rounds: rounds ?? (quick ? 1 : 5),
      seconds: Math.max(1, Math.round(seconds)), // wrk takes whole seconds
      warmSeconds: 1,
    },
    apiChange: only === undefined || only === 'api-change',
    apiChangeRounds: rounds ?? (quick ? 1 : 5),
  };
}
