// Pool row -> Octavia's PoolResponse. Refs are shown as given (not resolved before issue 5).
import { jsonListOrNull } from '../../db/json-columns.js';
import type { PoolChildren, PoolRow } from '../../db/pool-repo.js';
import type { FieldMap } from '../list-helper.js';
import { commonAttributes, commonFields, ids, type CommonView, type IdRef } from './common.js';

export interface SessionPersistenceView {
  type: string;
  cookie_name: string | null;
  persistence_timeout: number | null;
  persistence_granularity: string | null;
}

export interface PoolView extends CommonView {
  description: string;
  protocol: string;
  lb_algorithm: string;
  session_persistence: SessionPersistenceView | null;
  loadbalancers: IdRef[];
  listeners: IdRef[];
  healthmonitor_id: string | null;
  members: IdRef[];
  tls_container_ref: string | null;
  ca_tls_container_ref: string | null;
  crl_container_ref: string | null;
  tls_enabled: boolean;
  tls_ciphers: string | null;
  tls_versions: string[] | null;
  alpn_protocols: string[] | null;
}

export const poolFields: FieldMap = {
  ...commonFields,
  loadbalancer_id: { column: 'load_balancer_id', kind: 'text' },
  // Octavia's model column, which openstacksdk filters by (listeners(load_balancer_id=…)).
  load_balancer_id: { column: 'load_balancer_id', kind: 'text' },
  protocol: { column: 'protocol', kind: 'text' },
  lb_algorithm: { column: 'lb_algorithm', kind: 'text' },
  tls_enabled: { column: 'tls_enabled', kind: 'bool' },
  tls_container_ref: { column: 'tls_certificate_id', kind: 'text' },
  ca_tls_container_ref: { column: 'ca_tls_certificate_id', kind: 'text' },
  crl_container_ref: { column: 'crl_container_id', kind: 'text' },
  tls_ciphers: { column: 'tls_ciphers', kind: 'text' },
};

export function sessionPersistenceView(json: string | null): SessionPersistenceView | null {
  if (json === null) return null;
  const sp = JSON.parse(json) as Partial<SessionPersistenceView>;
  return {
    type: sp.type ?? 'SOURCE_IP',
    cookie_name: sp.cookie_name ?? null,
    persistence_timeout: sp.persistence_timeout ?? null,
    persistence_granularity: sp.persistence_granularity ?? null,
  };
}

export function poolView(row: PoolRow, children: PoolChildren): PoolView {
  return {
    ...commonAttributes(row),
    description: row.description,
    protocol: row.protocol,
    lb_algorithm: row.lb_algorithm,
    session_persistence: sessionPersistenceView(row.session_persistence),
    loadbalancers: [{ id: row.load_balancer_id }],
    listeners: ids(children.listeners),
    healthmonitor_id: children.healthMonitor,
    members: ids(children.members),
    tls_container_ref: row.tls_certificate_id,
    ca_tls_container_ref: row.ca_tls_certificate_id,
    crl_container_ref: row.crl_container_id,
    tls_enabled: row.tls_enabled === 1,
    tls_ciphers: row.tls_ciphers,
    tls_versions: jsonListOrNull(row.tls_versions),
    alpn_protocols: jsonListOrNull(row.alpn_protocols),
  };
}
