// Listener row -> Octavia's ListenerResponse (API 2.27: with the HSTS fields). Refs are
// shown as the client gave them; they are not resolved until the secrets driver exists.
import { jsonListOrNull, jsonStringMap } from '../../db/json-columns.js';
import type { ListenerRow } from '../../db/listener-repo.js';
import type { FieldMap } from '../list-helper.js';
import { commonAttributes, commonFields, jsonArray, type CommonView, type IdRef } from './common.js';

export interface ListenerView extends CommonView {
  description: string;
  protocol: string;
  protocol_port: number;
  connection_limit: number;
  default_tls_container_ref: string | null;
  sni_container_refs: string[];
  default_pool_id: string | null;
  l7policies: IdRef[];
  insert_headers: Record<string, string>;
  loadbalancers: IdRef[];
  timeout_client_data: number;
  timeout_member_connect: number;
  timeout_member_data: number;
  timeout_tcp_inspect: number;
  client_ca_tls_container_ref: string | null;
  client_authentication: string;
  client_crl_container_ref: string | null;
  allowed_cidrs: string[] | null;
  tls_ciphers: string | null;
  tls_versions: string[] | null;
  alpn_protocols: string[] | null;
  hsts_max_age: number | null;
  hsts_include_subdomains: boolean | null;
  hsts_preload: boolean | null;
}

export const listenerFields: FieldMap = {
  ...commonFields,
  loadbalancer_id: { column: 'load_balancer_id', kind: 'text' },
  // Octavia's model column, which openstacksdk filters by (listeners(load_balancer_id=…)).
  load_balancer_id: { column: 'load_balancer_id', kind: 'text' },
  protocol: { column: 'protocol', kind: 'text' },
  protocol_port: { column: 'protocol_port', kind: 'int' },
  connection_limit: { column: 'connection_limit', kind: 'int' },
  default_pool_id: { column: 'default_pool_id', kind: 'text' },
  timeout_client_data: { column: 'timeout_client_data', kind: 'int' },
  timeout_member_connect: { column: 'timeout_member_connect', kind: 'int' },
  timeout_member_data: { column: 'timeout_member_data', kind: 'int' },
  timeout_tcp_inspect: { column: 'timeout_tcp_inspect', kind: 'int' },
  default_tls_container_ref: { column: 'tls_certificate_id', kind: 'text' },
  client_ca_tls_container_ref: { column: 'client_ca_tls_certificate_id', kind: 'text' },
  client_authentication: { column: 'client_authentication', kind: 'text' },
  client_crl_container_ref: { column: 'client_crl_container_id', kind: 'text' },
  tls_ciphers: { column: 'tls_ciphers', kind: 'text' },
  hsts_max_age: { column: 'hsts_max_age', kind: 'int' },
};

const optionalBool = (v: number | null) => (v === null ? null : v === 1);

export function listenerView(row: ListenerRow): ListenerView {
  const cidrs = jsonArray(row.allowed_cidrs);
  return {
    ...commonAttributes(row),
    description: row.description,
    protocol: row.protocol,
    protocol_port: row.protocol_port,
    connection_limit: row.connection_limit,
    default_tls_container_ref: row.tls_certificate_id,
    sni_container_refs: jsonListOrNull(row.sni_containers) ?? [],
    default_pool_id: row.default_pool_id,
    l7policies: [],
    insert_headers: jsonStringMap(row.insert_headers),
    loadbalancers: [{ id: row.load_balancer_id }],
    timeout_client_data: row.timeout_client_data,
    timeout_member_connect: row.timeout_member_connect,
    timeout_member_data: row.timeout_member_data,
    timeout_tcp_inspect: row.timeout_tcp_inspect,
    client_ca_tls_container_ref: row.client_ca_tls_certificate_id,
    client_authentication: row.client_authentication,
    client_crl_container_ref: row.client_crl_container_id,
    // Octavia shows null, not [], when no CIDR restricts the listener.
    allowed_cidrs: cidrs.length ? cidrs : null,
    tls_ciphers: row.tls_ciphers,
    tls_versions: jsonListOrNull(row.tls_versions),
    alpn_protocols: jsonListOrNull(row.alpn_protocols),
    hsts_max_age: row.hsts_max_age,
    hsts_include_subdomains: optionalBool(row.hsts_include_subdomains),
    hsts_preload: optionalBool(row.hsts_preload),
  };
}
