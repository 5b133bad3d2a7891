// `openstack loadbalancer l7policy|l7rule` create/list/show/set/unset/delete on an HTTP
// listener created through the CLI.
import t from 'tap';
import { clientHarness, missingClient } from './client-harness.js';

t.test('L7 policies and rules: the full cycle through the CLI', async (t) => {
  const missing = missingClient();
  if (missing) return void t.fail(missing);
  const { h, os, json } = await clientHarness(t);
  const lbId = (await json('loadbalancer', 'create', '--name', 'lb', '--vip-subnet-id', 'public-subnet')).id;
  await h.activate(lbId);
  const listener = await json(
    'loadbalancer',
    'listener',
    'create',
    '--name',
    'web',
    '--protocol',
    'HTTP',
    '--protocol-port',
    '80',
    lbId,
  );
  t.match(listener, { protocol: 'HTTP', protocol_port: 80 });
  await h.activate(lbId);
  const pool = await json(
    'loadbalancer',
    'pool',
    'create',
    '--name',
    'api',
    '--protocol',
    'HTTP',
    '--lb-algorithm',
    'ROUND_ROBIN',
    '--loadbalancer',
    lbId,
  );
  await h.activate(lbId);

  // Policy.
  const policy = await json(
    'loadbalancer',
    'l7policy',
    'create',
    '--name',
    'to-api',
    '--description',
    'send /api to the api pool',
    '--action',
    'REDIRECT_TO_POOL',
    '--redirect-pool',
    'api',
    'web',
  );
  t.match(policy, {
    name: 'to-api',
    action: 'REDIRECT_TO_POOL',
    redirect_pool_id: pool.id,
    listener_id: listener.id,
    position: 1,
    provisioning_status: 'PENDING_CREATE',
  });
  const policyId = policy.id as string;
  await h.activate(lbId);
  t.match(await json('loadbalancer', 'l7policy', 'list'), [{ id: policyId, name: 'to-api' }]);
  await os(
    'loadbalancer',
    'l7policy',
    'set',
    '--action',
    'REDIRECT_TO_URL',
    '--redirect-url',
    'https://example.com/',
    '--redirect-http-code',
    '301',
    'to-api',
  );
  t.match(await json('loadbalancer', 'l7policy', 'show', policyId), {
    action: 'REDIRECT_TO_URL',
    redirect_url: 'https://example.com/',
    redirect_http_code: 301,
    redirect_pool_id: null,
    provisioning_status: 'PENDING_UPDATE',
  });
  await h.activate(lbId);
  await os('loadbalancer', 'l7policy', 'unset', '--name', '--description', '--redirect-http-code', policyId);
  t.match(
    await json('loadbalancer', 'l7policy', 'show', policyId),
    { name: '', description: '', redirect_url: 'https://example.com/', redirect_http_code: null },
    'l7policy unset: cleared (Octavia stores the null; 302 is only filled in with a new URL)',
  );
  await h.activate(lbId);

  // Rule.
  const rule = await json(
    'loadbalancer',
    'l7rule',
    'create',
    '--type',
    'HEADER',
    '--key',
    'X-Api',
    '--compare-type',
    'EQUAL_TO',
    '--value',
    'v1',
    '--invert',
    policyId,
  );
  t.match(rule, { type: 'HEADER', key: 'X-Api', compare_type: 'EQUAL_TO', value: 'v1', invert: true });
  const ruleId = rule.id as string;
  await h.activate(lbId);
  t.match(await json('loadbalancer', 'l7rule', 'list', policyId), [{ id: ruleId, type: 'HEADER' }]);
  t.match(await json('loadbalancer', 'l7policy', 'show', policyId), { rules: new RegExp(ruleId) });
  await os(
    'loadbalancer',
    'l7rule',
    'set',
    '--type',
    'PATH',
    '--compare-type',
    'STARTS_WITH',
    '--value',
    '/api',
    policyId,
    ruleId,
  );
  t.match(await json('loadbalancer', 'l7rule', 'show', policyId, ruleId), {
    type: 'PATH',
    compare_type: 'STARTS_WITH',
    value: '/api',
    provisioning_status: 'PENDING_UPDATE',
  });
  await h.activate(lbId);
  await os('loadbalancer', 'l7rule', 'unset', '--invert', '--key', policyId, ruleId);
  t.match(
    await json('loadbalancer', 'l7rule', 'show', policyId, ruleId),
    { invert: false, key: null },
    'l7rule unset: defaults',
  );
  await h.activate(lbId);

  await os('loadbalancer', 'l7rule', 'delete', policyId, ruleId);
  await h.activate(lbId);
  t.same(await json('loadbalancer', 'l7rule', 'list', policyId), [], 'rule gone');
  await os('loadbalancer', 'l7policy', 'delete', policyId);
  await h.activate(lbId);
  t.same(await json('loadbalancer', 'l7policy', 'list'), [], 'policy gone');
});
