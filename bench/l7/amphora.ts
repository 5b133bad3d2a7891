// The AmphoraConfig of the bench's HTTP load balancer, as the controller would send it:
// an HTTP listener on the VIP with X-Forwarded-For, a default pool of the four members and
// an L7 policy sending /api to a second pool. bench/l7/haproxy-bare.cfg is the same by hand.
import { ADDR, DEV, PORT } from './topology.js';

export const LISTENER_ID = 'l-http';

const member = (pool: string, address: string, i: number): object => ({
  id: `${pool}-m${i}`,
  address,
  protocol_port: PORT.member,
  weight: 1,
  admin_state_up: true,
});

/** Proto-JSON, as the standalone agent reads it (--config) and as loadAmphoraConfig parses it. */
export function amphoraConfig(): object {
  return {
    version: '1',
    amphora_id: 'vxl-bench',
    loadbalancer_id: 'vxl-bench',
    interfaces: [
      { name: DEV.vip, role: 'VIP', addresses: [`${ADDR.vipSide}/24`, `${ADDR.vip}/32`] },
      { name: DEV.mem, role: 'MEMBER', addresses: [`${ADDR.memSide}/24`] },
    ],
    listeners: [
      {
        id: LISTENER_ID,
        vip_address: ADDR.vip,
        protocol: 'HTTP',
        protocol_port: PORT.vip,
        default_pool_id: 'web',
        admin_state_up: true,
        connection_limit: -1,
        insert_headers: { 'X-Forwarded-For': 'true' },
        l7policies: [
          {
            id: 'to-api',
            action: 'REDIRECT_TO_POOL',
            position: 1,
            redirect_pool_id: 'api',
            admin_state_up: true,
            rules: [
              { id: 'api', type: 'PATH', compare_type: 'STARTS_WITH', value: '/api', admin_state_up: true },
            ],
          },
        ],
      },
    ],
    pools: [
      {
        id: 'web',
        protocol: 'HTTP',
        lb_algorithm: 'ROUND_ROBIN',
        admin_state_up: true,
        members: ADDR.members.map((a, i) => member('web', a, i)),
      },
      {
        id: 'api',
        protocol: 'HTTP',
        lb_algorithm: 'ROUND_ROBIN',
        admin_state_up: true,
        members: ADDR.members.slice(0, 2).map((a, i) => member('api', a, i)),
      },
    ],
  };
}
