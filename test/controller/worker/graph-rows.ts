// Database rows for config-builder tests: one place for the columns every row has,
// and for the listener, pool and load balancer rows both config-builder tests use.
import { LISTENER_WITHOUT_TLS } from '../../../controller/db/listener-repo.js';
import { POOL_WITHOUT_TLS } from '../../../controller/db/pool-repo.js';
import type { ProvisioningStatus } from '../../../controller/db/schema.js';
import type { LoadBalancerGraph } from '../../../controller/db/worker-repo.js';

export const common = (id: string, status: ProvisioningStatus = 'ACTIVE') => ({
  id,
  project_id: 'p',
  name: id,
  description: '',
  provisioning_status: status,
  operating_status: 'ONLINE' as const,
  enabled: 1,
  tags: '[]',
  created_at: '2026-01-01T00:00:00',
  updated_at: null,
});

export const listenerRow = (
  id: string,
  protocol: string,
  port: number,
  pool: string | null,
  status?: ProvisioningStatus,
) => ({
  ...common(id, status),
  load_balancer_id: 'lb',
  protocol,
  protocol_port: port,
  connection_limit: -1,
  default_pool_id: pool,
  timeout_client_data: 50000,
  timeout_member_connect: 5000,
  timeout_member_data: 50000,
  timeout_tcp_inspect: 0,
  allowed_cidrs: '[]',
  ...LISTENER_WITHOUT_TLS,
});

export const poolRow = (id: string, protocol: string, status?: ProvisioningStatus) => ({
  ...common(id, status),
  load_balancer_id: 'lb',
  protocol,
  lb_algorithm: 'ROUND_ROBIN',
  session_persistence: null,
  ...POOL_WITHOUT_TLS,
});

/** The load balancer 'lb' on 172.29.1.100, being updated. */
export const loadBalancerRow = (): LoadBalancerGraph['loadBalancer'] => ({
  ...common('lb', 'PENDING_UPDATE'),
  vip_address: '172.29.1.100',
  vip_port_id: 'vp',
  vip_subnet_id: 's1',
  vip_network_id: 'n1',
  provider: 'amphora',
  topology: 'SINGLE',
  flavor_id: null,
  availability_zone: null,
});
