// Where an amphora sits on dual-stack networks: the worker's port allocation, the NICs the
// compute driver plugs, and the interfaces in the config the agent gets.
import t from 'tap';
import type { Test } from 'tap';
import { allocateAmphora, allocatePorts, loadGraph } from '../../../controller/worker/amphora-steps.js';
import { buildAmphoraConfig } from '../../../controller/worker/config-builder.js';
import {
  addressesOf,
  nicsOf,
  type LbFlowContext,
  type WorkerDeps,
} from '../../../controller/worker/flow-context.js';
import { harness, subnetId, type Harness } from '../api/helpers.js';

/** Creates a load balancer through the API and runs the worker's first steps on it. */
async function planned(t: Test, h: Harness, vipSubnet: string) {
  const r = await h.req('POST', '/v2/lbaas/loadbalancers', {
    loadbalancer: { vip_subnet_id: subnetId(h, vipSubnet) },
  });
  t.equal(r.status, 201, JSON.stringify(r.body));
  // Only what these steps use: the database and the network driver.
  const deps = { config: h.config, db: h.db, network: h.network } as unknown as WorkerDeps;
  const ctx: LbFlowContext = { deps, lbId: r.body.loadbalancer.id };
  for (const step of [loadGraph, allocateAmphora, allocatePorts]) await step.run(ctx);
  const graph = ctx.graph!;
  const amp = ctx.amphora!;
  return {
    lb: graph.loadBalancer,
    amp,
    ...nicsOf(h.network, graph, amp),
    config: buildAmphoraConfig(graph, addressesOf(h.network, graph, amp), {
      version: 1,
      heartbeat: { target: '172.30.0.1:5555', interval_ms: 1000 },
    }),
  };
}

t.test('an IPv6 VIP: vip0 on the IPv6 subnet, the member NIC dual-stack, IPv6 default route', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const p = await planned(t, h, 'public-subnet-v6');
  t.equal(p.lb.vip_address, 'fd00:172:30:1::10');
  t.equal(p.amp.vrrp_ip, 'fd00:172:30:1::11', "the amphora's own address on the VIP subnet");
  t.same(JSON.parse(p.amp.member_ips), {
    [subnetId(h, 'private-subnet')]: '172.30.2.10',
    [subnetId(h, 'private-subnet-v6')]: 'fd00:172:30:2::10',
  });
  t.same(p.nics, [
    { name: 'mgmt0', bridge: 'vxmgmt', addresses: ['172.30.0.10/24'] },
    { name: 'vip0', bridge: 'vxpublic', addresses: ['fd00:172:30:1::11/64', 'fd00:172:30:1::10/128'] },
    { name: 'mem0', bridge: 'vxprivate', addresses: ['172.30.2.10/24', 'fd00:172:30:2::10/64'] },
  ]);
  t.equal(p.defaultGateway, 'fd00:172:30:1::1');
  t.same(p.config.interfaces, [
    { name: 'vip0', role: 'VIP', addresses: ['fd00:172:30:1::11/64', 'fd00:172:30:1::10/128'] },
    { name: 'mem0', role: 'MEMBER', addresses: ['172.30.2.10/24', 'fd00:172:30:2::10/64'] },
  ]);
});

t.test('an IPv4 VIP on a dual-stack network: no member NIC on the VIP network', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const p = await planned(t, h, 'public-subnet');
  t.same(
    Object.keys(JSON.parse(p.amp.member_ips)).sort(),
    [subnetId(h, 'private-subnet'), subnetId(h, 'private-subnet-v6')].sort(),
    'public-subnet-v6 is on the VIP network: no port there',
  );
  t.same(
    p.nics.map((n) => [n.name, n.bridge]),
    [
      ['mgmt0', 'vxmgmt'],
      ['vip0', 'vxpublic'],
      ['mem0', 'vxprivate'],
    ],
  );
  t.same(p.nics[1]!.addresses, [`${p.amp.vrrp_ip}/24`, `${p.lb.vip_address}/32`]);
  t.equal(p.defaultGateway, '172.30.1.1');
});
