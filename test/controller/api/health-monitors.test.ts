// /v2/lbaas/healthmonitors: status codes, error bodies, defaults per type, one
// monitor per pool, the status gate and cascades.
import t from 'tap';
import {
  deleteLoadBalancerRows,
  loadLoadBalancerGraph,
  markGraphError,
} from '../../../controller/db/worker-repo.js';
import { activeLb, activeListener, activePool, fault, harness, type Harness } from './helpers.js';

const MISSING = '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11';
const HMS = '/v2/lbaas/healthmonitors';
const DOMAIN_NAME_REGEX = '^(?=.{1,253}\\.?$)(?:(?!-|[^.]+_)[A-Za-z0-9-_]{1,63}(?<!-)(?:\\.|$))+$';
const EXPECTED_CODES_REGEX = '^(\\d{3}(\\s*,\\s*\\d{3})*)$|^(\\d{3}-\\d{3})$';

function postHm(h: Harness, poolId: string | null, extra: Record<string, unknown> = {}) {
  return h.req('POST', HMS, {
    healthmonitor: { pool_id: poolId, type: 'HTTP', delay: 5, timeout: 3, max_retries: 2, ...extra },
  });
}

async function lbStatus(h: Harness, lbId: string): Promise<string> {
  return (await h.req('GET', `/v2/lbaas/loadbalancers/${lbId}`)).body.loadbalancer.provisioning_status;
}

t.test('create, show, list, update, delete', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const l = await activeListener(h, lb.id);
  const p = await activePool(h, { listener_id: l.id });

  let r = await postHm(h, p.id);
  t.equal(r.status, 201);
  const hm = r.body.healthmonitor;
  t.same(Object.keys(hm).sort(), [
    'admin_state_up',
    'created_at',
    'delay',
    'domain_name',
    'expected_codes',
    'http_method',
    'http_version',
    'id',
    'max_retries',
    'max_retries_down',
    'name',
    'operating_status',
    'pools',
    'project_id',
    'provisioning_status',
    'tags',
    'tenant_id',
    'timeout',
    'type',
    'updated_at',
    'url_path',
  ]);
  t.match(hm, {
    name: '',
    type: 'HTTP',
    delay: 5,
    timeout: 3,
    max_retries: 2,
    max_retries_down: 3,
    http_method: 'GET',
    url_path: '/',
    expected_codes: '200',
    http_version: null,
    domain_name: null,
    admin_state_up: true,
    project_id: lb.project_id,
    tenant_id: lb.project_id,
    pools: [{ id: p.id }],
    provisioning_status: 'PENDING_CREATE',
    operating_status: 'OFFLINE',
    tags: [],
    updated_at: null,
  });
  r = await h.req('GET', `/v2/lbaas/pools/${p.id}`);
  t.equal(r.body.pool.healthmonitor_id, hm.id, 'the pool shows its health monitor');
  t.equal(r.body.pool.provisioning_status, 'PENDING_UPDATE', 'the pool is marked');
  r = await h.req('GET', `/v2/lbaas/listeners/${l.id}`);
  t.equal(r.body.listener.provisioning_status, 'PENDING_UPDATE', 'the pool listener is marked');
  t.equal(await lbStatus(h, lb.id), 'PENDING_UPDATE');

  r = await postHm(h, p.id);
  t.equal(r.status, 409);
  t.equal(fault(r), `Pool ${p.id} is immutable and cannot be updated.`, 'the pool is pending');
  await h.activate(lb.id);
  r = await postHm(h, p.id, { type: 'TCP' });
  t.equal(r.status, 409);
  t.equal(fault(r), 'This pool already has a health monitor');
  t.equal(await lbStatus(h, lb.id), 'ACTIVE', 'a refusal leaves the load balancer as it was');

  r = await h.req('GET', `${HMS}/${hm.id}`);
  t.equal(r.status, 200);
  t.match(r.body.healthmonitor, { provisioning_status: 'ACTIVE', operating_status: 'ONLINE' });
  r = await h.req('GET', `/v2.0/lbaas/healthmonitors/${hm.id}?fields=id&fields=type`);
  t.same(r.body.healthmonitor, { id: hm.id, type: 'HTTP' }, 'the /v2.0 alias and fields=');
  r = await h.req('GET', HMS);
  t.equal(r.body.healthmonitors.length, 1);
  t.same(r.body.healthmonitors_links, []);
  t.equal((await h.req('GET', `${HMS}?pool_id=${p.id}`)).body.healthmonitors.length, 1);
  t.equal((await h.req('GET', `${HMS}?type=PING`)).body.healthmonitors.length, 0);
  t.equal((await h.req('GET', `${HMS}?max_retries=2`)).body.healthmonitors.length, 1);
  r = await h.req('GET', `${HMS}?surprise=1`);
  t.equal(r.status, 400);
  t.equal(fault(r), 'One or more arguments are either duplicate or invalid');
  r = await h.req('GET', `${HMS}?sort=max_retries_down:desc,name`);
  t.equal(r.status, 200, 'sorts by API attribute names');

  r = await h.req('PUT', `${HMS}/${hm.id}`, {
    healthmonitor: {
      name: 'hm',
      delay: 10,
      timeout: 20,
      max_retries: 4,
      max_retries_down: 5,
      http_method: 'HEAD',
      url_path: '/health?probe=1',
      expected_codes: '200-204',
      http_version: 1.1,
      domain_name: 'app.example.com',
      admin_state_up: false,
      tags: ['a'],
    },
  });
  t.equal(r.status, 200);
  t.match(r.body.healthmonitor, {
    name: 'hm',
    delay: 10,
    timeout: 20,
    max_retries: 4,
    max_retries_down: 5,
    http_method: 'HEAD',
    url_path: '/health?probe=1',
    expected_codes: '200-204',
    http_version: 1.1,
    domain_name: 'app.example.com',
    admin_state_up: false,
    tags: ['a'],
    provisioning_status: 'PENDING_UPDATE',
  });
  t.not(r.body.healthmonitor.updated_at, null);
  r = await h.req('PUT', `${HMS}/${hm.id}`, { healthmonitor: { name: 'x' } });
  t.equal(r.status, 409);
  t.equal(fault(r), `Pool ${p.id} is immutable and cannot be updated.`);
  await h.activate(lb.id);
  r = await h.req('GET', `${HMS}/${hm.id}`);
  t.equal(r.body.healthmonitor.operating_status, 'OFFLINE', 'a disabled monitor is OFFLINE once ACTIVE');

  // The load balancer itself pending (its own update): Octavia names the load balancer.
  await h.req('PUT', `/v2/lbaas/loadbalancers/${lb.id}`, { loadbalancer: { name: 'busy' } });
  r = await h.req('PUT', `${HMS}/${hm.id}`, { healthmonitor: { name: 'x' } });
  t.equal(r.status, 409);
  t.equal(fault(r), `Load Balancer ${lb.id} is immutable and cannot be updated.`);
  r = await h.req('DELETE', `${HMS}/${hm.id}`);
  t.equal(r.status, 409, 'delete is gated too');
  await h.activate(lb.id);

  r = await h.req('PUT', `${HMS}/${hm.id}`, {
    healthmonitor: {
      http_method: null,
      url_path: null,
      expected_codes: null,
      max_retries_down: null,
      http_version: null,
      domain_name: null,
      name: null,
      tags: null,
      admin_state_up: true,
    },
  });
  t.equal(r.status, 200);
  t.match(r.body.healthmonitor, {
    http_method: 'GET',
    url_path: '/',
    expected_codes: '200',
    max_retries_down: 3,
    http_version: null,
    domain_name: null,
    name: '',
    tags: [],
    admin_state_up: true,
  });
  await h.activate(lb.id);

  r = await h.req('DELETE', `${HMS}/${hm.id}`);
  t.equal(r.status, 204);
  t.equal(r.raw.body, '');
  r = await h.req('GET', `${HMS}/${hm.id}`);
  t.equal(r.body.healthmonitor.provisioning_status, 'PENDING_DELETE');
  r = await h.req('GET', `/v2/lbaas/pools/${p.id}`);
  t.equal(r.body.pool.provisioning_status, 'PENDING_UPDATE');
  await h.activate(lb.id);
  r = await h.req('GET', `${HMS}/${hm.id}`);
  t.equal(r.status, 404);
  t.equal(fault(r), `Health Monitor ${hm.id} not found.`);
  r = await h.req('GET', `/v2/lbaas/pools/${p.id}`);
  t.equal(r.body.pool.healthmonitor_id, null, 'the pool lost its monitor with the row');
  t.equal((await postHm(h, p.id)).status, 201, 'a new monitor once the old one is gone');

  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    r = await h.req(method, `${HMS}/${MISSING}`, method === 'PUT' ? { healthmonitor: {} } : undefined);
    t.equal(r.status, 404, method);
    t.equal(fault(r), `Health Monitor ${MISSING} not found.`);
  }
});

t.test('defaults and accepted types per pool protocol', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const create = async (protocol: string, extra: Record<string, unknown>) => {
    const p = await activePool(h, { loadbalancer_id: lb.id, protocol });
    const r = await postHm(h, p.id, extra);
    if (r.status === 201) await h.activate(lb.id);
    return r;
  };
  const noHttp = { http_method: null, url_path: null, expected_codes: null };
  const tcpCases: [Record<string, unknown>, Record<string, unknown>][] = [
    [{ type: 'PING' }, noHttp],
    [{ type: 'TCP' }, noHttp],
    [{ type: 'TLS-HELLO' }, noHttp],
    [{ type: 'TCP', http_method: null, url_path: null, expected_codes: null }, noHttp],
    [{ type: 'HTTP' }, { http_method: 'GET', url_path: '/', expected_codes: '200' }],
    [{ type: 'HTTPS' }, { http_method: 'GET', url_path: '/', expected_codes: '200' }],
    [
      { type: 'HTTP', http_method: 'POST', url_path: '/ready', expected_codes: '200, 202' },
      { http_method: 'POST', url_path: '/ready', expected_codes: '200, 202' },
    ],
    [
      { type: 'HTTP', http_version: 1.0, max_retries_down: 10, max_retries: 10 },
      { http_version: 1, max_retries_down: 10, max_retries: 10 },
    ],
    [
      { type: 'HTTPS', http_version: 1.1, domain_name: 'example.com', url_path: '///a' },
      { http_version: 1.1, domain_name: 'example.com', url_path: '///a' },
    ],
    // Octavia does not compare timeout with delay.
    [
      { type: 'TCP', delay: 1, timeout: 5, max_retries: 1 },
      { delay: 1, timeout: 5, max_retries: 1 },
    ],
    [
      { type: 'TCP', delay: 0, timeout: 0 },
      { delay: 0, timeout: 0 },
    ],
  ];
  for (const [body, expected] of tcpCases) {
    const r = await create('TCP', body);
    t.equal(r.status, 201, `TCP pool ${JSON.stringify(body)}`);
    t.match(r.body.healthmonitor, { type: body['type'], ...expected });
  }
  for (const type of ['UDP-CONNECT', 'SCTP', 'TCP', 'HTTP']) {
    const r = await create('UDP', { type, delay: 3 });
    t.equal(r.status, 201, `UDP pool, ${type}`);
  }
});

t.test('validation errors of a create', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const p = await activePool(h, { loadbalancer_id: lb.id });
  const udp = await activePool(h, { loadbalancer_id: lb.id, protocol: 'UDP' });
  const invalid = (field: string, value: string, reason: string) =>
    `Invalid input for field/attribute ${field}. Value: '${value}'. ${reason}`;
  const cases: [Record<string, unknown>, number, string | RegExp, string?][] = [
    [{ type: undefined }, 400, invalid('type', 'None', 'Mandatory field missing.')],
    [{ delay: undefined }, 400, invalid('delay', 'None', 'Mandatory field missing.')],
    [{ timeout: undefined }, 400, invalid('timeout', 'None', 'Mandatory field missing.')],
    [{ max_retries: undefined }, 400, invalid('max_retries', 'None', 'Mandatory field missing.')],
    [{ pool_id: undefined }, 400, invalid('pool_id', 'None', 'Mandatory field missing.')],
    [
      { type: 'FOO' },
      400,
      /^Invalid input for field\/attribute type\. Value: 'FOO'\. Value should be one of: /,
    ],
    [{ type: null }, 400, 'None is not a valid option for type'],
    [{ delay: null }, 400, 'None is not a valid option for delay'],
    [{ timeout: null }, 400, 'None is not a valid option for timeout'],
    [{ max_retries: null }, 400, 'None is not a valid option for max_retries'],
    [{ pool_id: null }, 404, 'Pool None not found.'],
    [{ pool_id: MISSING }, 404, `Pool ${MISSING} not found.`],
    [{ pool_id: 'not-a-uuid' }, 400, /pool_id/],
    [{ delay: -1 }, 400, invalid('delay', '-1', 'Value should be greater or equal to 0')],
    [{ delay: 'often' }, 400, /delay/],
    [{ delay: 1.5 }, 400, /delay/],
    [{ timeout: -1 }, 400, invalid('timeout', '-1', 'Value should be greater or equal to 0')],
    [{ max_retries: 0 }, 400, invalid('max_retries', '0', 'Value should be greater or equal to 1')],
    [{ max_retries: 11 }, 400, invalid('max_retries', '11', 'Value should be lower or equal to 10')],
    [{ max_retries_down: 0 }, 400, invalid('max_retries_down', '0', 'Value should be greater or equal to 1')],
    [
      { max_retries_down: 11 },
      400,
      invalid('max_retries_down', '11', 'Value should be lower or equal to 10'),
    ],
    [{ http_method: 'FETCH' }, 400, /^Invalid input for field\/attribute http_method\. Value: 'FETCH'/],
    [
      { url_path: 'https://openstack.org' },
      400,
      invalid('url_path', 'https://openstack.org', 'Value must be a valid URL Path string'),
    ],
    [{ url_path: 'health' }, 400, invalid('url_path', 'health', 'Value must be a valid URL Path string')],
    [{ url_path: '/a b' }, 400, invalid('url_path', '/a b', 'Value must be a valid URL Path string')],
    [{ url_path: '//host/a' }, 400, invalid('url_path', '//host/a', 'Value must be a valid URL Path string')],
    [{ url_path: '/a[0]' }, 400, invalid('url_path', '/a[0]', 'Value must be a valid URL Path string')],
    [
      { expected_codes: '20' },
      400,
      invalid('expected_codes', '20', `Value should match the pattern ${EXPECTED_CODES_REGEX}`),
    ],
    [
      { expected_codes: '200-' },
      400,
      invalid('expected_codes', '200-', `Value should match the pattern ${EXPECTED_CODES_REGEX}`),
    ],
    [
      { expected_codes: '200,201-204' },
      400,
      invalid('expected_codes', '200,201-204', `Value should match the pattern ${EXPECTED_CODES_REGEX}`),
    ],
    [{ http_version: 2 }, 400, invalid('http_version', '2.0', 'Value should be one of: 1.0, 1.1')],
    [{ http_version: '1.1' }, 400, /http_version/],
    [
      { domain_name: 'example.com' },
      400,
      "Validation failure: 'http_version' must be specified when 'domain_name' is provided.",
    ],
    [
      { domain_name: 'example.com', http_version: 1.0 },
      400,
      'http_version 1.0 is not a valid option for health monitors HTTP 1.1 domain name health check',
    ],
    [
      { domain_name: '^testla&b.com', http_version: 1.1 },
      400,
      invalid('domain_name', '^testla&b.com', `Value should match the pattern ${DOMAIN_NAME_REGEX}`),
    ],
    [
      { domain_name: '-bad.example', http_version: 1.1 },
      400,
      invalid('domain_name', '-bad.example', `Value should match the pattern ${DOMAIN_NAME_REGEX}`),
    ],
    [
      { domain_name: '', http_version: 1.1 },
      400,
      invalid('domain_name', '', 'Value should have a minimum character requirement of 1'),
    ],
    [
      { type: 'TCP', http_method: 'GET' },
      400,
      'http_method is not a valid option for health monitors of type TCP',
    ],
    [{ type: 'PING', url_path: '/' }, 400, 'url_path is not a valid option for health monitors of type PING'],
    [
      { type: 'TLS-HELLO', expected_codes: '200' },
      400,
      'expected_codes is not a valid option for health monitors of type TLS-HELLO',
    ],
    [
      { type: 'UDP-CONNECT' },
      400,
      'Validation failure: The UDP-CONNECT type is only supported for pools of type UDP/SCTP.',
    ],
    [
      { type: 'SCTP' },
      400,
      'Validation failure: The SCTP type is only supported for pools of type UDP/SCTP.',
    ],
    [{ name: 'x'.repeat(256) }, 400, /name/],
    [{ tags: ['x'.repeat(256)] }, 400, /tags|0/],
    [{ surprise: true }, 400, 'Unknown attribute for argument healthmonitor: surprise'],
  ];
  const udpOnly =
    'Validation failure: The associated pool protocol is UDP, so only a UDP-CONNECT/SCTP/TCP/HTTP health monitor is supported.';
  for (const type of ['PING', 'HTTPS', 'TLS-HELLO']) cases.push([{ pool_id: udp.id, type }, 400, udpOnly]);
  cases.push([
    { pool_id: udp.id, type: 'UDP-CONNECT', delay: 2 },
    400,
    'Validation failure: The request delay value 2 should be larger than 3 for UDP-CONNECT health monitor type.',
  ]);
  for (const [body, status, message] of cases) {
    const r = await postHm(h, p.id, body);
    t.equal(r.status, status, JSON.stringify(body));
    t.match(fault(r), message, JSON.stringify(body));
  }
  let r = await h.req('POST', HMS, { pool_id: p.id, type: 'TCP', delay: 1, timeout: 1, max_retries: 1 });
  t.equal(r.status, 400, 'the body must be under "healthmonitor"');
  t.equal((await h.req('GET', HMS)).body.healthmonitors.length, 0, 'nothing was created');
  t.equal(await lbStatus(h, lb.id), 'ACTIVE', 'refusals leave the load balancer ACTIVE');
  r = await h.req('GET', `/v2/lbaas/pools/${p.id}`);
  t.equal(r.body.pool.provisioning_status, 'ACTIVE');
});

t.test('validation errors of an update', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const tcpPool = await activePool(h, { loadbalancer_id: lb.id });
  const httpPool = await activePool(h, { loadbalancer_id: lb.id });
  const udpPool = await activePool(h, { loadbalancer_id: lb.id, protocol: 'UDP' });
  const tcp = (await postHm(h, tcpPool.id, { type: 'TCP' })).body.healthmonitor;
  await h.activate(lb.id);
  const http = (await postHm(h, httpPool.id)).body.healthmonitor;
  await h.activate(lb.id);
  const udp = (await postHm(h, udpPool.id, { type: 'UDP-CONNECT', delay: 3 })).body.healthmonitor;
  await h.activate(lb.id);
  const put = (id: string, body: Record<string, unknown>) =>
    h.req('PUT', `${HMS}/${id}`, { healthmonitor: body });
  const cases: [string, Record<string, unknown>, string | RegExp][] = [
    [tcp.id, { url_path: '/x' }, 'url_path is not a valid option for health monitors of type TCP'],
    [tcp.id, { http_method: null }, 'http_method is not a valid option for health monitors of type TCP'],
    [
      tcp.id,
      { expected_codes: '200' },
      'expected_codes is not a valid option for health monitors of type TCP',
    ],
    [tcp.id, { delay: null }, 'None is not a valid option for delay'],
    [tcp.id, { timeout: null }, 'None is not a valid option for timeout'],
    [tcp.id, { max_retries: null }, 'None is not a valid option for max_retries'],
    [
      tcp.id,
      { max_retries: 11 },
      "Invalid input for field/attribute max_retries. Value: '11'. Value should be lower or equal to 10",
    ],
    [tcp.id, { type: 'HTTP' }, 'Unknown attribute for argument healthmonitor: type'],
    [tcp.id, { pool_id: httpPool.id }, 'Unknown attribute for argument healthmonitor: pool_id'],
    [
      http.id,
      { domain_name: 'example.com' },
      "Validation failure: 'http_version' must be specified when 'domain_name' is provided.",
    ],
    [
      http.id,
      { domain_name: 'example.com', http_version: 1.0 },
      'http_version 1.0 is not a valid option for health monitors HTTP 1.1 domain name health check',
    ],
    [
      http.id,
      { url_path: 'x' },
      "Invalid input for field/attribute url_path. Value: 'x'. Value must be a valid URL Path string",
    ],
    [
      udp.id,
      { delay: 1 },
      'Validation failure: The request delay value 1 should be larger than 3 for UDP-CONNECT health monitor type.',
    ],
  ];
  for (const [id, body, message] of cases) {
    const r = await put(id, body);
    t.equal(r.status, 400, JSON.stringify(body));
    t.match(fault(r), message, JSON.stringify(body));
  }
  t.equal(await lbStatus(h, lb.id), 'ACTIVE', 'refusals leave the load balancer ACTIVE');

  let r = await put(http.id, { http_version: 1.1, domain_name: 'example.com' });
  t.equal(r.status, 200);
  await h.activate(lb.id);
  r = await put(http.id, { http_version: 1.0 });
  t.equal(r.status, 400, 'the stored domain name needs HTTP/1.1');
  t.equal(
    fault(r),
    'http_version 1.0 is not a valid option for health monitors HTTP 1.1 domain name health check',
  );
  r = await put(http.id, { domain_name: 'other.example.com' });
  t.equal(r.status, 200, 'the stored http_version counts');
  t.equal(r.body.healthmonitor.domain_name, 'other.example.com');
  await h.activate(lb.id);
  r = await put(tcp.id, { delay: 30, timeout: 10, max_retries: 3, name: 'tcp' });
  t.equal(r.status, 200, 'a TCP monitor takes the common attributes');
});

t.test('the pool and its load balancer must be ACTIVE', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const p = await activePool(h, { loadbalancer_id: lb.id });
  await h.req('POST', `/v2/lbaas/pools/${p.id}/members`, {
    member: { address: '10.0.0.5', protocol_port: 80 },
  });
  let r = await postHm(h, p.id);
  t.equal(r.status, 409);
  t.equal(fault(r), `Pool ${p.id} is immutable and cannot be updated.`);
  await h.activate(lb.id);
  const other = await activePool(h, { loadbalancer_id: lb.id });
  await h.req('PUT', `/v2/lbaas/pools/${other.id}`, { pool: { name: 'busy' } });
  r = await postHm(h, p.id);
  t.equal(r.status, 409, 'another pool pending makes the load balancer pending');
  t.equal(fault(r), `Load Balancer ${lb.id} is immutable and cannot be updated.`);
  await h.activate(lb.id);
  await h.req('DELETE', `/v2/lbaas/pools/${p.id}`);
  r = await postHm(h, p.id);
  t.equal(r.status, 409, 'a pool being deleted');
  t.equal(fault(r), `Pool ${p.id} is immutable and cannot be updated.`);
});

t.test('projects', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const p1 = { 'x-project-id': 'p1' };
  const p2 = { 'x-project-id': 'p2' };
  const lb = await activeLb(h, {}, p1);
  const r0 = await h.req(
    'POST',
    '/v2/lbaas/pools',
    { pool: { loadbalancer_id: lb.id, protocol: 'TCP', lb_algorithm: 'ROUND_ROBIN' } },
    p1,
  );
  await h.activate(lb.id);
  const body = {
    healthmonitor: { pool_id: r0.body.pool.id, type: 'TCP', delay: 1, timeout: 1, max_retries: 1 },
  };
  let r = await h.req('POST', HMS, body, p2);
  t.equal(r.status, 403);
  t.equal(fault(r), 'Policy does not allow this request to be performed.');
  r = await h.req('POST', HMS, { healthmonitor: { ...body.healthmonitor, project_id: 'p2' } }, p1);
  t.equal(r.status, 201, 'the monitor belongs to the project of its load balancer');
  t.equal(r.body.healthmonitor.project_id, 'p1');
  const id = r.body.healthmonitor.id;
  t.equal((await h.req('GET', `${HMS}/${id}`, undefined, p2)).status, 403);
  t.equal((await h.req('GET', HMS, undefined, p2)).body.healthmonitors.length, 0);
  t.equal((await h.req('GET', HMS, undefined, p1)).body.healthmonitors.length, 1);
  await h.activate(lb.id);
  t.equal((await h.req('DELETE', `${HMS}/${id}`, undefined, p2)).status, 403);
});

t.test('cascades: pool delete, load balancer delete, worker settling', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const lb = await activeLb(h);
  const p1 = await activePool(h, { loadbalancer_id: lb.id });
  const p2 = await activePool(h, { loadbalancer_id: lb.id });
  const hm1 = (await postHm(h, p1.id)).body.healthmonitor;
  await h.activate(lb.id);
  const hm2 = (await postHm(h, p2.id, { type: 'TCP' })).body.healthmonitor;

  const graph = await loadLoadBalancerGraph(h.db, lb.id);
  t.equal(
    graph?.pools.find((g) => g.pool.id === p1.id)?.healthMonitor?.id,
    hm1.id,
    'the graph carries monitors',
  );
  t.equal(
    graph?.pools.find((g) => g.pool.id === p2.id)?.healthMonitor?.provisioning_status,
    'PENDING_CREATE',
    'pending monitors included',
  );
  await markGraphError(h.db, lb.id);
  let r = await h.req('GET', `${HMS}/${hm2.id}`);
  t.equal(r.body.healthmonitor.provisioning_status, 'ERROR', 'a failed sync marks the pending monitor');
  t.equal((await h.req('GET', `${HMS}/${hm1.id}`)).body.healthmonitor.provisioning_status, 'ACTIVE');
  await h.activate(lb.id);

  r = await h.req('DELETE', `/v2/lbaas/pools/${p1.id}`);
  t.equal(r.status, 204);
  r = await h.req('GET', `${HMS}/${hm1.id}`);
  t.equal(r.body.healthmonitor.provisioning_status, 'PENDING_DELETE', 'the pool takes its monitor');
  await h.activate(lb.id);
  t.equal((await h.req('GET', `${HMS}/${hm1.id}`)).status, 404);

  r = await h.req('DELETE', `/v2/lbaas/loadbalancers/${lb.id}`);
  t.equal(r.status, 400, 'a load balancer with children needs cascade');
  r = await h.req('DELETE', `/v2/lbaas/loadbalancers/${lb.id}?cascade=true`);
  t.equal(r.status, 204);
  r = await h.req('GET', `${HMS}/${hm2.id}`);
  t.equal(r.body.healthmonitor.provisioning_status, 'PENDING_DELETE', 'cascade marks monitors');
  await deleteLoadBalancerRows(h.db, lb.id);
  t.equal((await h.req('GET', `${HMS}/${hm2.id}`)).status, 404, 'and the worker removes them');
  t.equal((await h.req('GET', HMS)).body.healthmonitors.length, 0);
});
