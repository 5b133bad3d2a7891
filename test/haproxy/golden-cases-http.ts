// Representative HTTP configs for the golden-file test (render-http.test.ts): one file per case under golden/.
import type { L7Policy__Output } from '../../src/grpc/gen/velox/agent/v1/L7Policy.js';
import type { L7Rule__Output } from '../../src/grpc/gen/velox/agent/v1/L7Rule.js';
import type { GoldenCase } from './golden-cases.js';
import { amphora, listener, member, monitor, pool } from './helpers.js';

export function rule(
  id: string,
  type: string,
  value: string,
  over: Partial<L7Rule__Output> = {},
): L7Rule__Output {
  return { id, type, compare_type: 'EQUAL_TO', key: '', value, invert: false, admin_state_up: true, ...over };
}

export function policy(
  id: string,
  action: string,
  position: number,
  rules: L7Rule__Output[],
  over: Partial<L7Policy__Output> = {},
): L7Policy__Output {
  return {
    id,
    action,
    position,
    redirect_pool_id: '',
    redirect_url: '',
    redirect_prefix: '',
    redirect_http_code: 0,
    admin_state_up: true,
    rules,
    ...over,
  };
}

const http = { protocol: 'HTTP' };
const two = [member('m1', '10.209.1.11', 8080), member('m2', '10.209.1.12', 8080)];
const sp = (type: string, cookie_name = '', persistence_timeout = 0) => ({
  type,
  cookie_name,
  persistence_timeout,
  persistence_granularity: '',
});

export const HTTP_GOLDEN_CASES: Record<string, GoldenCase> = {
  'http-headers-limits-cidrs-monitor': {
    config: amphora(
      [
        listener({
          ...http,
          connection_limit: 1000,
          allowed_cidrs: ['10.209.0.0/16', 'fd00:209::/32'],
          timeout_client_data: 7000,
          timeout_member_connect: 2000,
          timeout_member_data: 9000,
          insert_headers: {
            'X-Forwarded-For': 'true',
            'X-Forwarded-Port': 'True',
            'X-Forwarded-Proto': 'TRUE',
          },
        }),
      ],
      [
        pool(two, {
          ...http,
          health_monitor: monitor('HTTP', {
            http_method: 'GET',
            url_path: '/health',
            expected_codes: '200,204',
            domain_name: 'app.example.com',
            http_version: '1.1',
          }),
        }),
      ],
    ),
    listenerIds: ['l1'],
  },
  'http-l7-policies': {
    config: amphora(
      [
        listener({
          ...http,
          l7policies: [
            // Written out of position order: rendered by position, within each kind of action.
            policy(
              'to-api',
              'REDIRECT_TO_POOL',
              4,
              [rule('api-path', 'PATH', '/api', { compare_type: 'STARTS_WITH' })],
              {
                redirect_pool_id: 'p-api',
              },
            ),
            policy('deny-bots', 'REJECT', 2, [
              rule('ua-bot', 'HEADER', 'bot', { key: 'User-Agent', compare_type: 'CONTAINS' }),
              rule('no-beta', 'COOKIE', 'yes', { key: 'beta', invert: true }),
              rule('off-rule', 'PATH', '/never', { admin_state_up: false }),
            ]),
            policy(
              'moved',
              'REDIRECT_TO_URL',
              1,
              [
                rule('old-host', 'HOST_NAME', 'old.example.com'),
                rule('jpg', 'FILE_TYPE', '\\.(jpg|png)$', { compare_type: 'REGEX' }),
              ],
              { redirect_url: 'https://new.example.com/a%20b?x=1', redirect_http_code: 301 },
            ),
            policy(
              'prefix',
              'REDIRECT_PREFIX',
              3,
              [rule('docs', 'PATH', '/old-docs', { compare_type: 'ENDS_WITH' })],
              {
                redirect_prefix: 'https://docs.example.com',
              },
            ),
            policy(
              'disabled',
              'REJECT',
              0,
              [rule('everything', 'PATH', '/', { compare_type: 'STARTS_WITH' })],
              {
                admin_state_up: false,
              },
            ),
            policy('rules-all-off', 'REJECT', 5, [rule('off-2', 'PATH', '/x', { admin_state_up: false })]),
            policy('pool-down', 'REDIRECT_TO_POOL', 6, [rule('down-path', 'PATH', '/down')], {
              redirect_pool_id: 'p-down',
            }),
            policy('quoting', 'REJECT', 7, [
              rule('quoted', 'HEADER', "it's a # test", { key: 'X-Note' }),
              rule('dash', 'PATH', '-i', { compare_type: 'CONTAINS' }),
            ]),
            policy('tls-rules', 'REJECT', 8, [
              rule('has-cert', 'SSL_CONN_HAS_CERT', 'True'),
              rule('verify', 'SSL_VERIFY_RESULT', '0', { invert: true }),
              rule('dn', 'SSL_DN_FIELD', 'ops', { key: 'OU', compare_type: 'STARTS_WITH' }),
            ]),
          ],
        }),
      ],
      [
        pool(two, http),
        pool([member('a1', '10.209.2.11', 8080)], { ...http, id: 'p-api' }),
        pool([member('d1', '10.209.3.11', 8080)], { ...http, id: 'p-down', admin_state_up: false }),
      ],
    ),
    listenerIds: ['l1'],
  },
  'http-persistence': {
    config: amphora(
      [
        listener({ ...http, id: 'cookie', default_pool_id: 'p-cookie' }),
        listener({ ...http, id: 'app', protocol_port: 81, default_pool_id: 'p-app' }),
        listener({ ...http, id: 'source', protocol_port: 82, default_pool_id: 'p-source' }),
      ],
      [
        pool(two, { ...http, id: 'p-cookie', session_persistence: sp('HTTP_COOKIE') }),
        pool(two, { ...http, id: 'p-app', session_persistence: sp('APP_COOKIE', 'JSESSIONID', 600) }),
        pool(two, { ...http, id: 'p-source', session_persistence: sp('SOURCE_IP') }),
      ],
    ),
    listenerIds: ['cookie', 'app', 'source'],
  },
  'http-algorithms-members': {
    config: amphora(
      ['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP', 'SOURCE_IP_PORT'].map((_, i) =>
        listener({ ...http, id: `l${i}`, protocol_port: 80 + i, default_pool_id: `p${i}` }),
      ),
      ['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP', 'SOURCE_IP_PORT'].map((lb_algorithm, i) =>
        pool(
          [
            member('m1', '10.209.1.11', 8080, {
              weight: 10,
              monitor_address: '10.209.1.111',
              monitor_port: 9090,
            }),
            member('drained', '10.209.1.12', 8080, { weight: 0 }),
            member('down', '10.209.1.13', 8080, { admin_state_up: false }),
            member('spare', '10.209.1.14', 8080, { backup: true }),
          ],
          { ...http, id: `p${i}`, lb_algorithm, health_monitor: i === 0 ? monitor('TCP') : null },
        ),
      ),
    ),
    listenerIds: ['l0', 'l1', 'l2', 'l3'],
  },
  prometheus: {
    config: amphora(
      [
        listener({
          id: 'prom',
          protocol: 'PROMETHEUS',
          protocol_port: 9101,
          default_pool_id: '',
          allowed_cidrs: ['10.209.9.0/24'],
        }),
        listener({
          id: 'prom6',
          vip_address: 'fd00:209::100',
          protocol: 'PROMETHEUS',
          protocol_port: 9102,
          default_pool_id: '',
        }),
      ],
      [],
    ),
    listenerIds: ['prom', 'prom6'],
  },
  'http-and-tcp-share-a-pool': {
    config: amphora(
      [
        listener({ id: 'tcp', protocol: 'TCP', insert_headers: {} }),
        listener({
          ...http,
          id: 'web',
          protocol_port: 8080,
          insert_headers: { 'X-Forwarded-For': 'true', 'X-Forwarded-Proto': 'false' },
        }),
        listener({ ...http, id: 'web-no-pool', protocol_port: 8081, default_pool_id: '' }),
      ],
      [pool(two, { ...http, session_persistence: sp('HTTP_COOKIE') })],
    ),
    listenerIds: ['tcp', 'web', 'web-no-pool'],
  },
};
