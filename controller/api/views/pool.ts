// Pool row -> Octavia's PoolResponse.
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
  protocol: { column: 'protocol', kind: 'text' },
  lb_algorithm: { column: 'lb_algorithm', kind: 'text' },
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
    tls_container_ref: null,
    ca_tls_container_ref: null,
    crl_container_ref: null,
    tls_enabled: false,
    tls_ciphers: null,
    tls_versions: null,
    alpn_protocols: null,
  };
}
