// The controller's API in a process of its own for the API benchmark (bench/api.ts
// forks it): buildApp over a SQLite file, listening on 127.0.0.1, with no worker, so
// nothing is provisioned. In place of the worker, the parent asks over IPC for load
// balancers to be marked ACTIVE or their deleted rows removed (the database updates the
// worker makes when it is done), between timed requests. Own process: the load generator's CPU is not the server's.
import { controllerConfig } from '../controller/config.js';
import { openDatabase } from '../controller/db/database.js';
import { deleteLoadBalancerRows, markGraphActive } from '../controller/db/worker-repo.js';
import { LocalNetworkDriver } from '../controller/drivers/network/local.js';
import { buildApp } from '../controller/api/app.js';

export type ServerMessage =
  { type: 'ready'; port: number; vipSubnetId: string } | { type: 'done'; seq: number };
/** activate: what the worker does when a change is done; purge: when a delete is done. */
export type ParentMessage = { type: 'activate' | 'purge'; seq: number; ids: string[] };

/** The only tenant network: a /20, so that 1000 load balancers get a VIP each. */
const VIP_NETWORK = {
  name: 'bench-public',
  subnetName: 'bench-public-subnet',
  cidr: '172.31.0.0/20',
  gatewayIp: '172.31.0.1',
  bridge: 'vxbenchpub', // never created: the API only allocates addresses
};

async function main(dbPath: string): Promise<void> {
  const config = controllerConfig(
    {
      database: { driver: 'sqlite', path: dbPath },
      api: { authStrategy: 'noauth' },
      network: { tenant: [VIP_NETWORK] },
    },
    '',
  );
  const db = await openDatabase(config);
  const network = new LocalNetworkDriver(db, config.network);
  const app = await buildApp({ config, db, network });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  const send = (m: ServerMessage): void => void process.send!(m);
  process.on('message', (m: ParentMessage) => {
    void (async () => {
      for (const id of m.ids)
        await (m.type === 'activate' ? markGraphActive : deleteLoadBalancerRows)(db, id);
      send({ type: 'done', seq: m.seq });
    })();
  });
  // The parent went away (or asked us to stop): close the database cleanly.
  process.on('disconnect', () => {
    void app
      .close()
      .then(() => db.destroy())
      .finally(() => process.exit(0));
  });
  send({ type: 'ready', port: address.port, vipSubnetId: network.findSubnet(VIP_NETWORK.subnetName)!.id });
}

if (!process.send) {
  console.error('bench/api-server is forked by bench/api.ts, with an IPC channel');
  process.exit(2);
}
await main(process.argv[2] ?? '');
