// Amphora row -> Octavia's AmphoraResponse (admin API). Renames as Octavia:
// load_balancer_id -> loadbalancer_id. The VRRP attributes are filled as Octavia fills
// them (vrrp_interface, vrrp_id, vrrp_priority only for ACTIVE_STANDBY); attributes this
// deployment does not keep (image, flavor, zone) are null; no certificate rotation
// runs while a client reads, so cert_busy is false.
import type { AmphoraRow } from '../../db/amphora-repo.js';
import type { FieldMap } from '../list-helper.js';

export interface AmphoraView {
  id: string;
  loadbalancer_id: string | null;
  compute_id: string | null;
  lb_network_ip: string | null;
  vrrp_ip: string | null;
  ha_ip: string | null;
  vrrp_port_id: string | null;
  ha_port_id: string | null;
  cert_expiration: string | null;
  cert_busy: boolean;
  role: string;
  status: string;
  vrrp_interface: string | null;
  vrrp_id: number | null;
  vrrp_priority: number | null;
  cached_zone: string | null;
  created_at: string;
  updated_at: string | null;
  image_id: string | null;
  compute_flavor: string | null;
}

/** The attributes stored in the amphora table, for filters and sorting. */
export const amphoraFields: FieldMap = {
  id: { column: 'id', kind: 'text' },
  loadbalancer_id: { column: 'load_balancer_id', kind: 'text' },
  compute_id: { column: 'compute_id', kind: 'text' },
  lb_network_ip: { column: 'lb_network_ip', kind: 'text' },
  vrrp_ip: { column: 'vrrp_ip', kind: 'text' },
  ha_ip: { column: 'ha_ip', kind: 'text' },
  vrrp_port_id: { column: 'vrrp_port_id', kind: 'text' },
  ha_port_id: { column: 'ha_port_id', kind: 'text' },
  vrrp_interface: { column: 'vrrp_interface', kind: 'text' },
  cert_expiration: { column: 'cert_expiration', kind: 'text' },
  role: { column: 'role', kind: 'text' },
  status: { column: 'status', kind: 'text' },
  created_at: { column: 'created_at', kind: 'text' },
  updated_at: { column: 'updated_at', kind: 'text' },
};

export function amphoraView(row: AmphoraRow): AmphoraView {
  return {
    id: row.id,
    loadbalancer_id: row.load_balancer_id,
    compute_id: row.compute_id,
    lb_network_ip: row.lb_network_ip,
    vrrp_ip: row.vrrp_ip,
    ha_ip: row.ha_ip,
    vrrp_port_id: row.vrrp_port_id,
    ha_port_id: row.ha_port_id,
    cert_expiration: row.cert_expiration,
    cert_busy: false,
    role: row.role,
    status: row.status,
    vrrp_interface: row.vrrp_interface,
    vrrp_id: row.vrrp_id,
    vrrp_priority: row.vrrp_priority,
    cached_zone: null,
    created_at: row.created_at,
    updated_at: row.updated_at,
    image_id: null,
    compute_flavor: null,
  };
}
