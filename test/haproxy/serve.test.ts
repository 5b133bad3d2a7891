// End to end on loopback (127.209.1.0/24, ports picked free): real HAProxy started by the
// manager, members and clients as real sockets in this process.
import t from 'tap';
import {
  amphora,
  distribution,
  exchange,
  freePort,
  listener,
  managerFor,
  member,
  pool,
  startMember,
} from './helpers.js';

const VIP = '127.209.1.1';
const INSIDE = '127.209.1.50'; // in allowed_cidrs
const OUTSIDE = '127.209.1.100'; // not in allowed_cidrs

t.test('round robin over two members, backup takeover, allowed_cidrs', async (t) => {
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  const m1 = await startMember(t, 'm1', '127.209.1.11');
  const m2 = await startMember(t, 'm2', '127.209.1.12');
  const spare = await startMember(t, 'spare', '127.209.1.13');
  const config = (primariesUp: boolean) =>
    amphora(
      [
        listener({
          vip_address: VIP,
          protocol_port: port,
          allowed_cidrs: ['127.209.1.0/26', 'fd00:209::/32'],
        }),
      ],
      [
        pool([
          member('m1', m1.address, m1.port, { admin_state_up: primariesUp }),
          member('m2', m2.address, m2.port, { admin_state_up: primariesUp }),
          member('spare', spare.address, spare.port, { backup: true }),
        ]),
      ],
    );

  await manager.apply(config(true), ['l1']);
  const seen = await distribution(VIP, port, 20, INSIDE);
  t.same(Object.keys(seen).sort(), ['m1', 'm2'], 'only the primaries answer');
  t.ok(Math.abs((seen.m1 ?? 0) - (seen.m2 ?? 0)) <= 2, `round robin alternates: ${JSON.stringify(seen)}`);

  const before = m1.firstBytes.length + m2.firstBytes.length;
  const refused = await exchange(VIP, port, { localAddress: OUTSIDE, send: 'x' }).catch(
    (e: Error) => e.message,
  );
  t.notMatch(refused, /m1|m2|spare/, `a source outside allowed_cidrs is refused (${refused || 'closed'})`);
  t.equal(m1.firstBytes.length + m2.firstBytes.length, before, 'and reaches no member');

  await manager.apply(config(false), ['l1']);
  t.same(await distribution(VIP, port, 6, INSIDE), { spare: 6 }, 'the backup serves when no primary is up');

  await manager.apply(config(true), ['l1']);
  t.notOk((await distribution(VIP, port, 6, INSIDE)).spare, 'and stops when a primary is back');
});

t.test('SOURCE_IP keeps a client on one member; SOURCE_IP_PORT spreads its connections', async (t) => {
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  const members = await Promise.all(
    ['a', 'b', 'c', 'd'].map((n, i) => startMember(t, n, `127.209.1.${21 + i}`)),
  );
  const config = (algorithm: string) =>
    amphora(
      [listener({ vip_address: VIP, protocol_port: port })],
      [
        pool(
          members.map((m) => member(m.name, m.address, m.port)),
          { lb_algorithm: algorithm },
        ),
      ],
    );
  await manager.apply(config('SOURCE_IP'), ['l1']);
  t.equal(Object.keys(await distribution(VIP, port, 12, INSIDE)).length, 1, 'one source, one member');
  await manager.apply(config('SOURCE_IP_PORT'), ['l1']);
  t.ok(
    Object.keys(await distribution(VIP, port, 24, INSIDE)).length > 1,
    'one source, new ports: several members',
  );
  await manager.apply(config('LEAST_CONNECTIONS'), ['l1']);
  t.equal(Object.keys(await distribution(VIP, port, 12, INSIDE)).length, 4, 'idle members share the load');
});

t.test('SOURCE_IP persistence: the first choice sticks over round robin', async (t) => {
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  const a = await startMember(t, 'a', '127.209.1.31');
  const b = await startMember(t, 'b', '127.209.1.32');
  const persistence = {
    type: 'SOURCE_IP',
    cookie_name: '',
    persistence_timeout: 60,
    persistence_granularity: '',
  };
  await manager.apply(
    amphora(
      [listener({ vip_address: VIP, protocol_port: port })],
      [
        pool([member('a', a.address, a.port), member('b', b.address, b.port)], {
          session_persistence: persistence,
        }),
      ],
    ),
    ['l1'],
  );
  t.equal(Object.keys(await distribution(VIP, port, 8, '127.209.1.51')).length, 1, 'client 1 sticks');
  t.equal(Object.keys(await distribution(VIP, port, 8, '127.209.1.52')).length, 1, 'client 2 sticks');
});

t.test('IPv6 VIP with an IPv4 member and an IPv6 member', async (t) => {
  const { manager } = managerFor(t);
  const port = await freePort('::1');
  const v4 = await startMember(t, 'v4', '127.209.1.41');
  const v6 = await startMember(t, 'v6', '::1');
  await manager.apply(
    amphora(
      [listener({ vip_address: '::1', protocol_port: port, allowed_cidrs: ['::1/128'] })],
      [pool([member('v4', v4.address, v4.port), member('v6', v6.address, v6.port)])],
    ),
    ['l1'],
  );
  t.same(Object.keys(await distribution('::1', port, 4)).sort(), ['v4', 'v6']);
});

t.test('apply([]) closes the listener at once (HAProxy drains) and frees the port', async (t) => {
  const { manager } = managerFor(t);
  const port = await freePort(VIP);
  const m1 = await startMember(t, 'm1', '127.209.1.11');
  await manager.apply(
    amphora(
      [listener({ vip_address: VIP, protocol_port: port })],
      [pool([member('m1', m1.address, m1.port)])],
    ),
    ['l1'],
  );
  t.equal((await exchange(VIP, port)).trim(), 'm1');
  await manager.apply(amphora([], []), []);
  await t.rejects(exchange(VIP, port), { code: 'ECONNREFUSED' });
  t.same(await manager.status(), { listeners: [], pools: [], members: [] });
});
