// The pure parts of status(): HAProxy states to Octavia's operating statuses, and totals
// that do not go backwards when a reload or restart gives a worker with fresh counters.
import t from 'tap';
import { CounterTotals } from '../../src/haproxy/counters.js';
import { parseShowProc } from '../../src/haproxy/master-cli.js';
import {
  listenerStatus,
  memberStatus,
  parseShowStat,
  poolStatus,
  type StatRow,
} from '../../src/haproxy/stats.js';

function row(over: Partial<StatRow>): StatRow {
  return {
    pxname: 'p1:l1',
    svname: 'm1',
    status: 'UP',
    weight: 1,
    bin: 0,
    bout: 0,
    scur: 0,
    stot: 0,
    ereq: 0,
    econ: 0,
    eresp: 0,
    ...over,
  };
}

t.test('member states', async (t) => {
  const cases: [Partial<StatRow>, string][] = [
    [{ status: 'UP' }, 'ONLINE'],
    [{ status: 'UP 1/3' }, 'ONLINE'], // falling, not down yet
    [{ status: 'DOWN' }, 'ERROR'],
    [{ status: 'DOWN 1/2' }, 'ERROR'], // rising, not up yet
    [{ status: 'DOWN', weight: 0 }, 'ERROR'],
    [{ status: 'MAINT' }, 'OFFLINE'],
    [{ status: 'MAINT (via p1:l1/m2)' }, 'OFFLINE'],
    [{ status: 'DRAIN' }, 'DRAINING'],
    [{ status: 'NOLB' }, 'DRAINING'],
    [{ status: 'UP', weight: 0 }, 'DRAINING'],
    [{ status: 'no check', weight: 0 }, 'DRAINING'],
    [{ status: 'no check' }, 'NO_MONITOR'],
  ];
  for (const [r, want] of cases) t.equal(memberStatus(row(r)), want, `${r.status} weight ${r.weight ?? 1}`);
  t.equal(memberStatus(undefined), 'OFFLINE', 'not in the stats: OFFLINE');
});

t.test('listener and pool states', async (t) => {
  t.equal(listenerStatus(row({ svname: 'FRONTEND', status: 'OPEN' })), 'ONLINE');
  t.equal(listenerStatus(row({ svname: 'FRONTEND', status: 'FULL' })), 'DEGRADED');
  t.equal(listenerStatus(row({ svname: 'FRONTEND', status: 'STOP' })), 'OFFLINE');
  t.equal(listenerStatus(undefined), 'OFFLINE');
  const backend = (status: string) => row({ svname: 'BACKEND', status });
  t.equal(poolStatus(backend('UP'), ['ONLINE', 'NO_MONITOR']), 'ONLINE');
  t.equal(poolStatus(backend('UP'), ['ONLINE', 'ERROR']), 'DEGRADED');
  t.equal(poolStatus(backend('DOWN'), ['ERROR']), 'ERROR');
  t.equal(poolStatus(undefined, []), 'OFFLINE');
});

t.test('show stat CSV: columns found by name', async (t) => {
  const csv =
    '# pxname,svname,scur,stot,bin,bout,ereq,econ,eresp,status,weight,extra\n' +
    'l1,FRONTEND,1,7,70,140,2,,,OPEN,,x\n' +
    'p1:l1,m1,1,7,70,140,,1,2,UP,3,y\n\n';
  t.same(parseShowStat(csv), [
    {
      pxname: 'l1',
      svname: 'FRONTEND',
      status: 'OPEN',
      weight: 0,
      bin: 70,
      bout: 140,
      scur: 1,
      stot: 7,
      ereq: 2,
      econ: 0,
      eresp: 0,
    },
    {
      pxname: 'p1:l1',
      svname: 'm1',
      status: 'UP',
      weight: 3,
      bin: 70,
      bout: 140,
      scur: 1,
      stot: 7,
      ereq: 0,
      econ: 1,
      eresp: 2,
    },
  ]);
  t.same(parseShowStat('Unknown command\n'), []);
});

t.test('show proc: reloads, failures and workers', async (t) => {
  const text = [
    '#<PID>          <type>          <reloads>       <uptime>        <version>',
    '982             master          2 [failed: 1]   0d00h10m25s     2.6.12',
    '# workers',
    '12203           worker          1               0d00h00m08s     2.6.12',
    '12400           worker          0               0d00h00m01s     2.6.12',
    '# programs',
  ].join('\n');
  t.same(parseShowProc(text), {
    masterPid: 982,
    reloads: 2,
    failedReloads: 1,
    workers: [
      { pid: 12203, reloads: 1 },
      { pid: 12400, reloads: 0 },
    ],
  });
  t.equal(parseShowProc(''), undefined);
});

t.test('totals carry over a new worker; gauges do not', async (t) => {
  const totals = new CounterTotals();
  const fe = (stot: number, bin: number, scur: number) =>
    row({ pxname: 'l1', svname: 'FRONTEND', stot, bin, scur, ereq: 1 });
  t.match(totals.observe(100, [fe(5, 50, 2)]).get('l1/FRONTEND'), {
    totalConnections: 5,
    bytesIn: 50,
    activeConnections: 2,
  });
  t.match(totals.observe(100, [fe(7, 70, 1)]).get('l1/FRONTEND'), {
    totalConnections: 7,
    bytesIn: 70,
    requestErrors: 1,
  });
  // A reload: worker 200 starts from zero.
  t.match(totals.observe(200, [fe(1, 10, 1)]).get('l1/FRONTEND'), {
    totalConnections: 8,
    bytesIn: 80,
    activeConnections: 1,
    requestErrors: 2,
  });
  t.match(totals.observe(200, [fe(3, 30, 0)]).get('l1/FRONTEND'), { totalConnections: 10, bytesIn: 100 });
  // The listener is removed, then an object with the same id comes back: it starts afresh.
  t.equal(totals.observe(300, []).size, 0);
  t.match(totals.observe(300, [fe(1, 10, 0)]).get('l1/FRONTEND'), { totalConnections: 1 });
});
