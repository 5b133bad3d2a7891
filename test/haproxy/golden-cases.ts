// Representative configs for the golden-file test: one file per case under golden/.
import type { AmphoraConfig__Output } from '../../src/grpc/gen/velox/agent/v1/AmphoraConfig.js';
import { amphora, listener, member, monitor, pool } from './helpers.js';

export interface GoldenCase {
  config: AmphoraConfig__Output;
  listenerIds: string[];
}

const two = [member('m1', '10.209.1.11', 8080), member('m2', '10.209.1.12', 8080)];
const many = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => (i % 2 ? `fd00:209:${i}::/48` : `10.209.${i}.0/24`));

export const GOLDEN_CASES: Record<string, GoldenCase> = {
  'round-robin': { config: amphora([listener()], [pool(two)]), listenerIds: ['l1'] },
  'least-connections-cidrs-limits-timeouts': {
    config: amphora(
      [
        listener({
          connection_limit: 100,
          allowed_cidrs: many(20),
          timeout_client_data: 1000,
          timeout_member_connect: 2000,
          timeout_member_data: 3000,
          timeout_tcp_inspect: 400,
        }),
      ],
      [pool(two, { lb_algorithm: 'LEAST_CONNECTIONS' })],
    ),
    listenerIds: ['l1'],
  },
  'source-ip-persistence': {
    config: amphora(
      [listener()],
      [
        pool(two, {
          lb_algorithm: 'SOURCE_IP',
          session_persistence: {
            type: 'SOURCE_IP',
            cookie_name: '',
            persistence_timeout: 120,
            persistence_granularity: '255.255.255.0',
          },
        }),
      ],
    ),
    listenerIds: ['l1'],
  },
  'source-ip-port-proxy-v2-backup-drain-disabled': {
    config: amphora(
      [listener()],
      [
        pool(
          [
            member('m1', '10.209.1.11', 8080),
            member('drained', '10.209.1.12', 8080, { weight: 0 }),
            member('down', '10.209.1.13', 8080, { admin_state_up: false }),
            member('spare', '10.209.1.14', 8080, { backup: true }),
          ],
          { protocol: 'PROXYV2', lb_algorithm: 'SOURCE_IP_PORT' },
        ),
      ],
    ),
    listenerIds: ['l1'],
  },
  'proxy-v1-tcp-monitor-address': {
    config: amphora(
      [listener()],
      [
        pool([member('m1', '10.209.1.11', 8080, { monitor_address: '10.209.1.111', monitor_port: 9090 })], {
          protocol: 'PROXY',
          health_monitor: monitor('TCP', { delay: 5, timeout: 3, max_retries: 2, max_retries_down: 4 }),
        }),
      ],
    ),
    listenerIds: ['l1'],
  },
  'http-monitor': {
    config: amphora(
      [listener()],
      [
        pool(two, {
          health_monitor: monitor('HTTP', {
            http_method: 'HEAD',
            url_path: '/healthz?full=1',
            expected_codes: '200-202,204',
            domain_name: 'app.example.com',
            http_version: '1.1',
          }),
        }),
      ],
    ),
    listenerIds: ['l1'],
  },
  'https-monitor': {
    config: amphora(
      [listener({ protocol: 'HTTPS', protocol_port: 443 })],
      [pool(two, { protocol: 'HTTPS', health_monitor: monitor('HTTPS', { max_retries_down: 0 }) })],
    ),
    listenerIds: ['l1'],
  },
  'tls-hello-monitor': {
    config: amphora([listener()], [pool(two, { health_monitor: monitor('TLS-HELLO') })]),
    listenerIds: ['l1'],
  },
  'ping-monitor': {
    config: amphora([listener()], [pool(two, { health_monitor: monitor('PING', { delay: 2 }) })]),
    listenerIds: ['l1'],
  },
  ipv6: {
    config: amphora(
      [listener({ vip_address: 'fd00:209::100', allowed_cidrs: ['fd00:209:1::/48'] })],
      [
        pool(
          [
            member('v6', 'fd00:209:1::11', 8080, { monitor_address: 'fd00:209:1::111' }),
            member('v4', '10.209.1.12', 8080),
          ],
          {
            health_monitor: monitor('TCP'),
            session_persistence: {
              type: 'SOURCE_IP',
              cookie_name: '',
              persistence_timeout: 0,
              persistence_granularity: 'ffff:ffff:ffff:ffff::',
            },
          },
        ),
      ],
    ),
    listenerIds: ['l1'],
  },
  'admin-down-and-subset': {
    config: amphora(
      [
        listener({ id: 'off', protocol_port: 81, admin_state_up: false }),
        listener({ id: 'no-pool', protocol_port: 82, default_pool_id: '' }),
        listener({ id: 'pool-down', protocol_port: 83, default_pool_id: 'p-down' }),
        listener({ id: 'monitor-down', protocol_port: 84 }),
        listener({ id: 'on-the-fast-path', protocol: 'UDP', protocol_port: 85 }),
      ],
      [
        pool(two, { health_monitor: monitor('TCP', { admin_state_up: false }) }),
        pool([member('m3', '10.209.1.13', 8080)], { id: 'p-down', admin_state_up: false }),
      ],
    ),
    listenerIds: ['off', 'no-pool', 'pool-down', 'monitor-down'],
  },
};
