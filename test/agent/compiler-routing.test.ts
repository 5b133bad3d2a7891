// Who serves each listener: XDP, HAProxy (what XDP cannot do for a TCP listener), or
// nobody (reported). Never silently ignored: every decision other than XDP is a problem.
import t from 'tap';
import { compileFresh, listener, member, pool, VIP4 } from './compiler-fixture.js';

const v4 = [member('a', '10.201.2.11'), member('b', '10.201.2.12')];

function routed(c: ReturnType<typeof compileFresh>) {
  return c.listeners.map((l) => [l.id, l.servedBy, l.status]);
}

t.test('PROXY and PROXYV2 pools behind a TCP listener go to HAProxy, out of the maps', async (t) => {
  for (const protocol of ['PROXY', 'PROXYV2']) {
    const c = compileFresh([listener('l1', 'p1')], [pool('p1', v4, { protocol })]);
    t.same(c.haproxyListeners, ['l1'], protocol);
    t.same(routed(c), [['l1', 'haproxy', 'ONLINE']]);
    t.same(
      c.problems.map((p) => [p.kind, p.id, p.effect]),
      [['listener', 'l1', 'haproxy']],
    );
    t.notOk(c.desired.vips.has(`TCP ${VIP4} 80`), 'no VIP entry: XDP passes the traffic to HAProxy');
    t.equal(c.desired.backends.size, 0, 'HAProxy reaches the members itself');
    t.same(
      c.pools.map((p) => p.servedBy),
      ['haproxy'],
    );
    t.same(
      c.members.map((m) => m.servedBy),
      ['haproxy', 'haproxy'],
    );
    t.ok(c.desired.vips.has(`ICMP ${VIP4} 0`), 'the VIP still answers ping');
  }
});

t.test('a TCP pool with members of the other family (some or all) goes to HAProxy', async (t) => {
  const some = compileFresh([listener('l1', 'p1')], [pool('p1', [...v4, member('six', 'fd00:201:2::13')])]);
  t.same(some.haproxyListeners, ['l1']);
  t.match(some.problems[0]?.reason, /1 of the members of pool p1 are not IPv4/);
  const all = compileFresh([listener('l1', 'p1', { vip_address: 'fd00:201:1::100' })], [pool('p1', v4)]);
  t.same(all.haproxyListeners, ['l1']);
  t.match(all.problems[0]?.reason, /all the members of pool p1 are not IPv6/);
});

t.test('a UDP pool keeps the fast path; members of the other family are left out and ERROR', async (t) => {
  const c = compileFresh(
    [listener('l1', 'p1', { protocol: 'UDP' })],
    [pool('p1', [...v4, member('six', 'fd00:201:2::13')], { protocol: 'UDP' })],
  );
  t.same(c.haproxyListeners, [], 'HAProxy does not balance UDP');
  t.same(routed(c), [['l1', 'xdp', 'ONLINE']]);
  t.same(
    c.members.map((m) => [m.id, m.status, m.backendId !== null]),
    [
      ['a', 'NO_MONITOR', true],
      ['b', 'NO_MONITOR', true],
      ['six', 'ERROR', false],
    ],
  );
  t.same(
    c.problems.map((p) => [p.kind, p.id, p.effect]),
    [['member', 'six', 'not-served']],
  );
  t.equal(c.pools[0]?.status, 'DEGRADED', 'a member in ERROR degrades the pool');
});

t.test('cookie persistence on a TCP pool: served by XDP, reported as having no effect', async (t) => {
  for (const type of ['HTTP_COOKIE', 'APP_COOKIE']) {
    const c = compileFresh(
      [listener('l1', 'p1')],
      [pool('p1', v4, { session_persistence: { type, cookie_name: 'c' } })],
    );
    t.same(routed(c), [['l1', 'xdp', 'ONLINE']], type);
    t.same(
      c.problems.map((p) => [p.kind, p.id, p.effect]),
      [['pool', 'p1', 'ignored']],
    );
  }
  const granular = compileFresh(
    [listener('l1', 'p1')],
    [
      pool('p1', v4, {
        session_persistence: { type: 'SOURCE_IP', persistence_granularity: '255.255.255.0' },
      }),
    ],
  );
  t.same(
    granular.problems.map((p) => [p.id, p.effect]),
    [['p1', 'ignored']],
    'a coarser granularity than one address is reported',
  );
});

t.test('HTTPS (TLS passthrough) is a TCP service on the fast path', async (t) => {
  for (const protocol of ['HTTPS', 'TCP']) {
    const c = compileFresh(
      [listener('l1', 'p1', { protocol: 'HTTPS', protocol_port: 443 })],
      [pool('p1', v4, { protocol })],
    );
    t.same(routed(c), [['l1', 'xdp', 'ONLINE']], `HTTPS listener, ${protocol} pool`);
    t.ok(c.desired.vips.has(`TCP ${VIP4} 443`));
  }
});

t.test(
  'a pool with tls_enabled behind a TCP or HTTPS listener goes to HAProxy (re-encryption)',
  async (t) => {
    for (const protocol of ['TCP', 'HTTPS']) {
      const c = compileFresh(
        [listener('l1', 'p1', { protocol, protocol_port: 443 })],
        [pool('p1', v4, { protocol: protocol === 'TCP' ? 'TCP' : 'HTTPS', tls_enabled: true })],
      );
      t.same(c.haproxyListeners, ['l1'], protocol);
      t.same(routed(c), [['l1', 'haproxy', 'ONLINE']]);
      t.same(
        c.problems.map((p) => [p.kind, p.id, p.effect]),
        [['listener', 'l1', 'haproxy']],
      );
      t.match(c.problems[0]?.reason, /pool p1 has tls_enabled: HAProxy re-encrypts/);
      t.notOk(c.desired.vips.has(`TCP ${VIP4} 443`), 'no VIP entry on the fast path');
      t.same(
        c.members.map((m) => m.servedBy),
        ['haproxy', 'haproxy'],
      );
    }
    const plain = compileFresh([listener('l1', 'p1')], [pool('p1', v4, { tls_enabled: false })]);
    t.same(routed(plain), [['l1', 'xdp', 'ONLINE']], 'tls_enabled false stays on XDP');
  },
);

t.test('HTTP, TERMINATED_HTTPS and PROMETHEUS wait for issue 5 unless HAProxy renders them', async (t) => {
  for (const protocol of ['HTTP', 'TERMINATED_HTTPS', 'PROMETHEUS']) {
    const poolProtocol = protocol === 'PROMETHEUS' ? undefined : 'HTTP';
    const listeners = [listener('l1', poolProtocol ? 'p1' : '', { protocol })];
    const pools = poolProtocol ? [pool('p1', v4, { protocol: poolProtocol })] : [];
    const c = compileFresh(listeners, pools);
    t.same(routed(c), [['l1', 'none', 'ERROR']], protocol);
    t.match(c.problems[0]?.reason, /served by HAProxy \(issue 5\)/);
    t.equal(c.desired.backends.size, 0);
    const rendered = compileFresh(listeners, pools, { haproxyProtocols: [protocol] });
    t.same(rendered.haproxyListeners, ['l1'], `${protocol} with a renderer that handles it`);
  }
});

t.test('SCTP, bad pairs and a TCP port taken twice are reported and not served', async (t) => {
  const c = compileFresh(
    [
      listener('sctp', 'ps', { protocol: 'SCTP', protocol_port: 9 }),
      listener('udp-on-tcp', 'p1', { protocol: 'UDP', protocol_port: 10 }),
      listener('tcp', 'p1', { protocol_port: 443 }),
      listener('https', 'p2', { protocol: 'HTTPS', protocol_port: 443 }),
      listener('off', 'ps', { protocol: 'SCTP', protocol_port: 11, admin_state_up: false }),
    ],
    [pool('p1', v4), pool('p2', v4), pool('ps', [], { protocol: 'SCTP' })],
  );
  t.same(routed(c), [
    ['sctp', 'none', 'ERROR'],
    ['udp-on-tcp', 'none', 'ERROR'],
    ['tcp', 'xdp', 'ONLINE'],
    ['https', 'none', 'ERROR'],
    ['off', 'none', 'OFFLINE'],
  ]);
  t.same(
    c.problems.map((p) => [p.id, p.effect]),
    [
      ['sctp', 'not-served'],
      ['udp-on-tcp', 'not-served'],
      ['https', 'not-served'],
      ['off', 'not-served'],
    ],
  );
  t.match(c.problems[2]?.reason, /already serves TCP port 443/);
  t.same(
    c.pools.map((p) => [p.id, p.servedBy]),
    [
      ['p1', 'xdp'],
      ['p2', 'none'],
      ['ps', 'none'],
    ],
  );
});
