// The one list helper: pagination, sorting, fields, filters and tags, on /loadbalancers.
import t from 'tap';
import { activeLb, fault, harness } from './helpers.js';

t.test('pagination with marker, links and page_reverse', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  for (const name of ['a', 'b', 'c', 'd', 'e']) await activeLb(h, { name });
  const all = (await h.req('GET', '/v2/lbaas/loadbalancers?sort=name:asc')).body.loadbalancers.map(
    (l: { id: string }) => l.id,
  );
  let r = await h.req('GET', '/v2/lbaas/loadbalancers?limit=2&sort=name:asc');
  t.same(
    r.body.loadbalancers.map((l: { name: string }) => l.name),
    ['a', 'b'],
  );
  t.equal(r.body.loadbalancers_links.length, 1);
  const next = r.body.loadbalancers_links[0];
  t.equal(next.rel, 'next');
  t.match(next.href, /\/v2\/lbaas\/loadbalancers\?limit=2&sort=name:asc&marker=/);
  t.ok(next.href.endsWith(`marker=${all[1]}`));

  r = await h.req('GET', `/v2/lbaas/loadbalancers?limit=2&sort=name:asc&marker=${all[1]}`);
  t.same(
    r.body.loadbalancers.map((l: { name: string }) => l.name),
    ['c', 'd'],
  );
  t.same(
    r.body.loadbalancers_links.map((l: { rel: string }) => l.rel),
    ['previous', 'next'],
  );
  t.match(r.body.loadbalancers_links[0].href, new RegExp(`marker=${all[2]}&page_reverse=True$`));

  r = await h.req('GET', `/v2/lbaas/loadbalancers?limit=2&sort=name:asc&marker=${all[2]}&page_reverse=True`);
  t.same(
    r.body.loadbalancers.map((l: { name: string }) => l.name),
    ['a', 'b'],
    'the page before the marker, in sort order',
  );

  r = await h.req('GET', '/v2/lbaas/loadbalancers?limit=100000');
  t.equal(r.body.loadbalancers.length, 5, 'a limit above the maximum is clamped');
  r = await h.req('GET', '/v2/lbaas/loadbalancers?limit=abc');
  t.equal(r.status, 400);
  t.equal(fault(r), "Supplied pagination limit 'abc' is not valid.");
  r = await h.req('GET', '/v2/lbaas/loadbalancers?marker=9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11');
  t.equal(r.status, 400);
  t.equal(fault(r), "Supplied pagination marker '9b0f0d7e-9d0c-4a41-8d5f-2f6f0a6f4e11' is not valid.");
});

t.test('sorting', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  for (const name of ['b', 'c', 'a']) await activeLb(h, { name });
  const names = async (q: string) =>
    (await h.req('GET', `/v2/lbaas/loadbalancers?${q}`)).body.loadbalancers.map(
      (l: { name: string }) => l.name,
    );
  t.same(await names('sort=name:desc'), ['c', 'b', 'a']);
  t.same(await names('sort=name'), ['a', 'b', 'c']);
  t.same(await names('sort_key=name&sort_dir=desc'), ['c', 'b', 'a']);
  t.same(await names('sort=vip_address:desc,name'), ['a', 'c', 'b']);
  let r = await h.req('GET', '/v2/lbaas/loadbalancers?sort=nope:asc');
  t.equal(r.status, 400);
  t.equal(fault(r), "Supplied sort key 'nope' is not valid.");
  r = await h.req('GET', '/v2/lbaas/loadbalancers?sort=name:sideways');
  t.equal(r.status, 400);
  t.equal(fault(r), "Supplied sort direction 'sideways' is not valid.");
});

t.test('fields, filters and tags', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  await activeLb(h, { name: 'one', tags: ['red', 'big'] });
  await activeLb(h, { name: 'two', tags: ['red'] });
  await activeLb(h, { name: 'three', tags: ['blue'], admin_state_up: false });
  const names = async (q: string) =>
    (await h.req('GET', `/v2/lbaas/loadbalancers?${q}`)).body.loadbalancers
      .map((l: { name: string }) => l.name)
      .sort();

  let r = await h.req('GET', '/v2/lbaas/loadbalancers?fields=id,name&fields=vip_address');
  t.same(Object.keys(r.body.loadbalancers[0]).sort(), ['id', 'name', 'vip_address']);
  t.same(await names('name=two'), ['two']);
  t.same(await names('name=two&name=three'), ['three', 'two']);
  t.same(await names('admin_state_up=false'), ['three']);
  t.same(await names('admin_state_up=True'), ['one', 'two']);
  t.same(await names('vip_address=172.30.1.10'), ['one']);
  t.same(await names('tags=red,big'), ['one']);
  t.same(await names('tags=red&tags=big'), ['one']);
  t.same(await names('tags-any=big,blue'), ['one', 'three']);
  t.same(await names('not-tags=red,big'), ['three', 'two']);
  t.same(await names('not-tags-any=big,blue'), ['two']);
  r = await h.req('GET', '/v2/lbaas/loadbalancers?colour=red');
  t.equal(r.status, 400);
  t.equal(fault(r), 'One or more arguments are either duplicate or invalid');
  r = await h.req('GET', '/v2/lbaas/listeners?protocol_port=eighty');
  t.equal(r.status, 400, 'an integer attribute needs an integer');
});
