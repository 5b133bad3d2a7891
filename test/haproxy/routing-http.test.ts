// The compiler's routing of HTTP listeners when the agent's HAProxy renders them: the
// listener, its default pool and the pools its REDIRECT_TO_POOL policies name are
// HAProxy's (members reported from HAProxy); a TCP listener on the same VIP stays on XDP.
import t from 'tap';
import { L7_LISTENER_PROTOCOLS } from '../../src/haproxy/render.js';
import { compileFresh, listener, member, pool, VIP4 } from '../agent/compiler-fixture.js';

const policyTo = (poolId: string) => ({
  id: `to-${poolId}`,
  action: 'REDIRECT_TO_POOL',
  position: 1,
  redirect_pool_id: poolId,
  admin_state_up: true,
  rules: [
    { id: `r-${poolId}`, type: 'PATH', compare_type: 'STARTS_WITH', value: '/x', admin_state_up: true },
  ],
});

t.test('HTTP listener, default and redirect pools to HAProxy; TCP beside it on XDP', async (t) => {
  const c = compileFresh(
    [
      listener('web', 'p-web', { protocol: 'HTTP', l7policies: [policyTo('p-api')] }),
      listener('tcp', 'p-tcp', { protocol_port: 81 }),
    ],
    [
      pool('p-web', [member('w', '10.201.2.11')], { protocol: 'HTTP' }),
      pool('p-api', [member('a', '10.201.2.12')], { protocol: 'HTTP' }),
      pool('p-tcp', [member('t', '10.201.2.13')]),
    ],
    { haproxyProtocols: L7_LISTENER_PROTOCOLS },
  );
  t.same(c.haproxyListeners, ['web']);
  t.same(
    c.pools.map((p) => [p.id, p.servedBy]),
    [
      ['p-web', 'haproxy'],
      ['p-api', 'haproxy'],
      ['p-tcp', 'xdp'],
    ],
  );
  t.same(
    c.members.map((m) => [m.id, m.servedBy]),
    [
      ['w', 'haproxy'],
      ['a', 'haproxy'],
      ['t', 'xdp'],
    ],
  );
  t.ok(c.desired.vips.has(`TCP ${VIP4} 81`), 'the TCP listener has its VIP entry');
  t.notOk(c.desired.vips.has(`TCP ${VIP4} 80`), 'the HTTP one has none: XDP passes it to HAProxy');
});

t.test('without a renderer for HTTP, the listener and its redirect pools are served by nobody', async (t) => {
  const c = compileFresh(
    [listener('web', 'p-web', { protocol: 'HTTP', l7policies: [policyTo('p-api')] })],
    [
      pool('p-web', [member('w', '10.201.2.11')], { protocol: 'HTTP' }),
      pool('p-api', [], { protocol: 'HTTP' }),
    ],
  );
  t.same(c.haproxyListeners, []);
  t.same(
    c.pools.map((p) => p.servedBy),
    ['none', 'none'],
  );
});
