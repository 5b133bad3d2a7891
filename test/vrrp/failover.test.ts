// ACTIVE_STANDBY end to end: two amphorae running the real agent and keepalived (VrrpPair).
// The designated MASTER holds the VIP and serves; when it dies (agent and keepalived
// SIGKILLed) or its VIP link goes down, the BACKUP takes the IPv4 and IPv6 VIPs and the SNAT
// address, announces them (the client's neighbour entries move without a flush) and serves
// new connections; an old MASTER that comes back does not take them back (nopreempt).
import t from 'tap';
import { VrrpPair } from './pair.js';

t.test('the MASTER serves; SIGKILL of it moves the VIPs; its return does not take them back', async (t) => {
  const pair = await VrrpPair.create(t, 'k', 10);
  await pair.startBoth();
  await pair.waitHolder('a');
  t.equal(await pair.vrrpState('a'), 'MASTER');
  t.equal(await pair.vrrpState('b'), 'BACKUP');

  let r = pair.requests(5);
  t.same(r, { answers: { m1: 5 }, failures: 0 }, 'the client gets answers via the VIP');
  t.same(pair.requests(3, pair.vip6), { answers: { m1: 3 }, failures: 0 }, 'and via the IPv6 VIP');
  t.equal(pair.clientNeighbour(pair.vip), pair.mac('a'), "the client's VIP entry is A's MAC");
  t.equal(pair.clientNeighbour(pair.vip6), pair.mac('a'), "the client's IPv6 VIP entry is A's MAC");
  t.ok((await pair.connections('a')) >= 5, 'A served them');

  await pair.killAmphora('a');
  await pair.waitState('b', 'MASTER');
  t.ok(pair.held('b').includes(pair.vip), 'B holds the VIP');
  t.ok(pair.held('b').includes(pair.vip6), 'B holds the IPv6 VIP');
  // Gratuitous ARP and unsolicited NA from B: the entries move without being flushed.
  await pair.waitNeighbour(pair.vip, pair.mac('b'));
  await pair.waitNeighbour(pair.vip6, pair.mac('b'));
  const before = await pair.connections('b');
  r = pair.requests(5);
  t.same(r, { answers: { m1: 5 }, failures: 0 }, 'new connections work after the failover');
  t.same(pair.requests(3, pair.vip6), { answers: { m1: 3 }, failures: 0 }, 'and over IPv6');
  t.ok((await pair.connections('b')) >= before + 5, 'B served them');

  // A comes back (its killed keepalived left the addresses behind): it must drop them and
  // stay BACKUP, even though its priority is higher.
  await pair.startAgent('a');
  await pair.apply('a');
  await pair.waitState('a', 'BACKUP');
  await pair.waitHolder('b');
  await new Promise((r) => setTimeout(r, 5000)); // several advert intervals and checks: no preemption
  t.equal(await pair.vrrpState('a'), 'BACKUP', 'A stays BACKUP');
  t.equal(await pair.vrrpState('b'), 'MASTER', 'B stays MASTER');
  t.same(pair.vipHolders(), ['b'], 'only B holds the VIP');
  t.same(pair.requests(3), { answers: { m1: 3 }, failures: 0 });
});

t.test('link down of the MASTER’s VIP interface moves the VIPs; back up, it stays BACKUP', async (t) => {
  const pair = await VrrpPair.create(t, 'l', 12);
  await pair.startBoth();
  await pair.waitHolder('a');
  t.same(pair.requests(3), { answers: { m1: 3 }, failures: 0 });
  t.same(pair.requests(3, pair.vip6), { answers: { m1: 3 }, failures: 0 }, 'the client has an IPv6 entry');

  pair.setVipLink('a', false);
  await pair.waitState('a', 'FAULT');
  await pair.waitState('b', 'MASTER');
  await pair.waitHolder('b');
  await pair.waitNeighbour(pair.vip, pair.mac('b'));
  await pair.waitNeighbour(pair.vip6, pair.mac('b'));
  const before = await pair.connections('b');
  t.same(pair.requests(5), { answers: { m1: 5 }, failures: 0 }, 'new connections work');
  t.same(pair.requests(3, pair.vip6), { answers: { m1: 3 }, failures: 0 }, 'and over IPv6');
  t.ok((await pair.connections('b')) >= before + 5, 'B served them');

  pair.setVipLink('a', true);
  await pair.waitState('a', 'BACKUP');
  await new Promise((r) => setTimeout(r, 4000)); // advert intervals: no preemption
  t.equal(await pair.vrrpState('a'), 'BACKUP', 'A stays BACKUP');
  t.same(pair.vipHolders(), ['b'], 'only B holds the VIP');
});
