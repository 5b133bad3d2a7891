// One "controller" for postgres-two-controllers.test.ts, in its own process with its
// own connection pool: claims jobs until none is left, holds each a few ms as a worker
// would, and reports what it claimed (one JSON line on stdout). It says "ready" once
// connected and starts on a line on stdin, so that two claimers start together however
// long each took to load (on a busy machine one could otherwise drain the queue alone).
//   node <tap's execArgv> postgres-claimer.ts <database url> <owner>
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../../controller/db/database.js';
import { claimJob, finishJob } from '../../../controller/db/worker-repo.js';

export interface ClaimRecord {
  id: number;
  lb: string;
  /** Wall-clock ms (comparable across processes): after the claim committed, before finishJob. */
  from: number;
  to: number;
}

const [url, owner] = process.argv.slice(2);
if (!url || !owner) throw new Error('usage: postgres-claimer.ts <database url> <owner>');
const db = await openDatabase({ database: { driver: 'postgres', url } });
await db.selectFrom('job').select('id').limit(1).execute(); // connected
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.destroy();
const claims: ClaimRecord[] = [];
const deadline = Date.now() + 120_000; // bounded, whatever happens
try {
  while (Date.now() < deadline) {
    const job = await claimJob(db, owner, 60_000);
    if (job) {
      const from = Date.now();
      await sleep(2 + Math.floor(Math.random() * 4));
      claims.push({ id: job.id, lb: job.load_balancer_id, from, to: Date.now() });
      await finishJob(db, job.id);
      continue;
    }
    const left = await db
      .selectFrom('job')
      .select('id')
      .where('state', 'in', ['pending', 'running'])
      .executeTakeFirst();
    if (!left) break;
    await sleep(3);
  }
} finally {
  await db.destroy();
}
process.stdout.write(`${JSON.stringify({ owner, claims })}\n`);
