// `node dist/bench/dataplane/run.js`: only the data-plane benchmark (root; see bench.ts).
import { dataplaneBench, dataplaneTable } from './bench.js';
import { dataplaneOptions } from './options.js';

console.log(dataplaneTable(await dataplaneBench(dataplaneOptions())));
