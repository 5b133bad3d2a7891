// Listener row -> Octavia's ListenerResponse. TLS and header insertion belong to
// protocols Velox does not serve yet, so those attributes show their empty values.
import type { ListenerRow } from '../../db/listener-repo.js';
import type { FieldMap } from '../list-helper.js';
import { commonFields, jsonArray, type IdRef } from './common.js';

export interface ListenerView {
  id: string;
  name: string;
  description: string;
  provisioning_status: string;
  operating_status: string;
  admin_state_up: boolean;
  protocol: string;
  protocol_port: number;
  connection_limit: number;
  default_tls_container_ref: string | null;
  sni_container_refs: string[];
  project_id: string;
  tenant_id: string;
  default_pool_id: string | null;
  l7policies: IdRef[];
  insert_headers: Record<string, string>;
  created_at: string;
  updated_at: string | null;
  loadbalancers: IdRef[];
  timeout_client_data: number;
  timeout_member_connect: number;
  timeout_member_data: number;
  timeout_tcp_inspect: number;
  tags: string[];
  client_ca_tls_container_ref: string | null;
  client_authentication: string;
  client_crl_container_ref: string | null;
  allowed_cidrs: string[] | null;
  tls_ciphers: string | null;
  tls_versions: string[] | null;
  alpn_protocols: string[] | null;
}

export const listenerFields: FieldMap = {
  ...commonFields,
  loadbalancer_id: { column: 'load_balancer_id', kind: 'text' },
  protocol: { column: 'protocol', kind: 'text' },
  protocol_port: { column: 'protocol_port', kind: 'int' },
  connection_limit: { column: 'connection_limit', kind: 'int' },
  default_pool_id: { column: 'default_pool_id', kind: 'text' },
  timeout_client_data: { column: 'timeout_client_data', kind: 'int' },
  timeout_member_connect: { column: 'timeout_member_connect', kind: 'int' },
  timeout_member_data: { column: 'timeout_member_data', kind: 'int' },
  timeout_tcp_inspect: { column: 'timeout_tcp_inspect', kind: 'int' },
};

export function listenerView(row: ListenerRow): ListenerView {
  const cidrs = jsonArray(row.allowed_cidrs);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    provisioning_status: row.provisioning_status,
    operating_status: row.operating_status,
    admin_state_up: row.enabled === 1,
    protocol: row.protocol,
    protocol_port: row.protocol_port,
    connection_limit: row.connection_limit,
    default_tls_container_ref: null,
    sni_container_refs: [],
    project_id: row.project_id,
    tenant_id: row.project_id,
    default_pool_id: row.default_pool_id,
    l7policies: [],
    insert_headers: {},
    created_at: row.created_at,
    updated_at: row.updated_at,
    loadbalancers: [{ id: row.load_balancer_id }],
    timeout_client_data: row.timeout_client_data,
    timeout_member_connect: row.timeout_member_connect,
    timeout_member_data: row.timeout_member_data,
    timeout_tcp_inspect: row.timeout_tcp_inspect,
    tags: jsonArray(row.tags),
    client_ca_tls_container_ref: null,
    client_authentication: 'NONE',
    client_crl_container_ref: null,
    // Octavia shows null, not [], when no CIDR restricts the listener.
    allowed_cidrs: cidrs.length ? cidrs : null,
    tls_ciphers: null,
    tls_versions: null,
    alpn_protocols: null,
  };
}
