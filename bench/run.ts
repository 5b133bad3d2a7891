// `make bench`: every benchmark, printed as a table. Not part of `make test`.
import { dataplaneBench, dataplaneTable } from './dataplane/bench.js';
import { dataplaneOptions } from './dataplane/options.js';
import { provisionBench, type Stat } from './provision.js';

const row = (what: string, s: Stat) => `| ${what} | ${s.median} | ${s.min} | ${s.max} | ${s.n} |`;

const p = await provisionBench(Number(process.env.ROUNDS ?? 5));
console.log('\n| control plane, ms | median | min | max | rounds |\n|---|---|---|---|---|');
console.log(row('POST /loadbalancers → ACTIVE', p.lbActive));
console.log(row('POST member → ACTIVE', p.memberActive));
console.log(row('POST member → member receives traffic', p.memberTraffic));

console.log(dataplaneTable(await dataplaneBench(dataplaneOptions())));
