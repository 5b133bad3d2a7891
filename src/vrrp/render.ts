// keepalived.conf for one amphora of an ACTIVE_STANDBY pair, rendered from the Vrrp part of
// its config by a pure function (Octavia's amphora template, unicast VRRP). Both amphorae
// start as BACKUP with nopreempt: the higher priority wins the first election and a MASTER
// that comes back does not take the floating addresses back. Checked with `keepalived -t`.
import { isIP } from 'node:net';
import type { Vrrp__Output } from '../grpc/gen/velox/agent/v1/Vrrp.js';
import type { KeepalivedPaths } from './paths.js';

/** Octavia's defaults ([keepalived_vrrp] in octavia.conf) for fields left 0. */
export const VRRP_DEFAULTS = {
  advert_int: 1,
  check_interval: 5,
  fail_count: 2,
  success_count: 2,
  garp_refresh_interval: 5,
};
const GARP_REFRESH_REPEAT = 2;
const GARP_MASTER_DELAY = 1; // seconds after becoming MASTER before the second burst
const GARP_MASTER_REPEAT = 3; // gratuitous ARPs / unsolicited NAs per address per burst
export const INSTANCE = 'velox';
export const CHECK = 'velox_check';

const or = (v: number, d: number): number => (v > 0 ? v : d);

/** The address part of a CIDR. */
const addressOf = (cidr: string): string => cidr.split('/')[0] ?? cidr;

// keepalived adds IPv6 addresses without duplicate address detection (IFA_F_NODAD) itself.
const ipLine = (cidr: string, ifname: string): string => `${cidr} dev ${ifname}`;

function block(name: string, lines: string[], indent = '    '): string[] {
  return [`${indent}${name} {`, ...lines.map((l) => `${indent}    ${l}`), `${indent}}`];
}

export function renderKeepalived(vrrp: Vrrp__Output, paths: KeepalivedPaths, amphoraId = ''): string {
  const family = isIP(vrrp.vrrp_ip);
  // One address family per instance's virtual_ipaddress: the other family is excluded
  // from the advertisement but still added, removed and announced (GARP / unsolicited NA).
  const own = vrrp.floating.filter((f) => isIP(addressOf(f.address)) === family);
  const other = vrrp.floating.filter((f) => isIP(addressOf(f.address)) !== family);
  const tracked = [...new Set(vrrp.floating.map((f) => f.interface))].filter((i) => i !== vrrp.interface);
  const instance: string[] = [
    'state BACKUP', // both: nopreempt needs it; initial_role decides by priority
    `interface ${vrrp.interface}`,
    `virtual_router_id ${vrrp.vrrp_id}`,
    `priority ${vrrp.priority}`,
    'nopreempt',
    `advert_int ${or(vrrp.advert_int, VRRP_DEFAULTS.advert_int)}`,
    `garp_master_delay ${GARP_MASTER_DELAY}`,
    `garp_master_repeat ${GARP_MASTER_REPEAT}`,
    `garp_master_refresh ${or(vrrp.garp_refresh_interval, VRRP_DEFAULTS.garp_refresh_interval)}`,
    `garp_master_refresh_repeat ${GARP_REFRESH_REPEAT}`,
  ];
  // VRRPv3 (IPv6) has no authentication; IPv4 uses VRRPv2 with PASS, as Octavia does.
  if (family === 4 && vrrp.auth_pass) {
    instance.push(...block('authentication', ['auth_type PASS', `auth_pass ${vrrp.auth_pass}`], ''));
  }
  instance.push(`unicast_src_ip ${vrrp.vrrp_ip}`);
  instance.push(...block('unicast_peer', vrrp.peer_ips, ''));
  instance.push(
    ...block(
      'virtual_ipaddress',
      own.map((f) => ipLine(f.address, f.interface)),
      '',
    ),
  );
  if (other.length > 0) {
    instance.push(
      ...block(
        'virtual_ipaddress_excluded',
        other.map((f) => ipLine(f.address, f.interface)),
        '',
      ),
    );
  }
  if (tracked.length > 0) instance.push(...block('track_interface', tracked, ''));
  instance.push(...block('track_script', [CHECK], ''));
  instance.push(`notify "${paths.notifyScript}"`);

  return [
    `# Rendered by velox-agent${amphoraId ? ` for amphora ${amphoraId}` : ''} (initial role ${vrrp.initial_role || 'BACKUP'}); do not edit.`,
    'global_defs {',
    `    router_id ${INSTANCE}_${vrrp.vrrp_id}`,
    '    vrrp_skip_check_adv_addr',
    '    vrrp_garp_lower_prio_repeat 2',
    '    script_user root',
    '    enable_script_security',
    '}',
    '',
    `vrrp_script ${CHECK} {`,
    `    script "${paths.checkScript}"`,
    `    interval ${or(vrrp.check_interval, VRRP_DEFAULTS.check_interval)}`,
    `    fall ${or(vrrp.fail_count, VRRP_DEFAULTS.fail_count)}`,
    `    rise ${or(vrrp.success_count, VRRP_DEFAULTS.success_count)}`,
    '}',
    '',
    `vrrp_instance ${INSTANCE} {`,
    ...instance.map((l) => `    ${l}`),
    '}',
    '',
  ].join('\n');
}
