// Load balancer row -> Octavia's LoadBalancerResponse (renames: enabled ->
// admin_state_up; vip columns as Octavia's flattened vip_* attributes).
import type { LoadBalancerChildren, LoadBalancerRow } from '../../db/load-balancer-repo.js';
import type { FieldMap } from '../list-helper.js';
import { commonAttributes, commonFields, ids, type CommonView, type IdRef } from './common.js';

export interface LoadBalancerView extends CommonView {
  description: string;
  vip_address: string;
  vip_port_id: string;
  vip_subnet_id: string;
  vip_network_id: string;
  vip_qos_policy_id: string | null;
  additional_vips: { subnet_id: string; ip_address: string }[];
  listeners: IdRef[];
  pools: IdRef[];
  provider: string;
  flavor_id: string | null;
  availability_zone: string | null;
}

export const loadBalancerFields: FieldMap = {
  ...commonFields,
  vip_address: { column: 'vip_address', kind: 'text' },
  vip_port_id: { column: 'vip_port_id', kind: 'text' },
  vip_subnet_id: { column: 'vip_subnet_id', kind: 'text' },
  vip_network_id: { column: 'vip_network_id', kind: 'text' },
  provider: { column: 'provider', kind: 'text' },
  flavor_id: { column: 'flavor_id', kind: 'text' },
  availability_zone: { column: 'availability_zone', kind: 'text' },
};

export function loadBalancerView(row: LoadBalancerRow, children: LoadBalancerChildren): LoadBalancerView {
  return {
    ...commonAttributes(row),
    description: row.description,
    vip_address: row.vip_address,
    vip_port_id: row.vip_port_id,
    vip_subnet_id: row.vip_subnet_id,
    vip_network_id: row.vip_network_id,
    vip_qos_policy_id: null,
    additional_vips: [],
    listeners: ids(children.listeners),
    pools: ids(children.pools),
    provider: row.provider,
    flavor_id: row.flavor_id,
    availability_zone: row.availability_zone,
  };
}
