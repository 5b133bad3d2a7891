// `openstack loadbalancer create --provider NAME`: the load balancer keeps the name
// the request used (amphora, octavia, velox) or the default's (amphora) on create,
// show, list, `list --provider` and after `set`, as Octavia does.
import t from 'tap';
import { clientHarness, missingClient } from './client-harness.js';

t.test('the provider name a load balancer was created with, through the CLI', async (t) => {
  const missing = missingClient();
  if (missing) return void t.fail(missing);
  const { h, os, json } = await clientHarness(t);

  const created: Record<string, string> = {};
  for (const [name, provider] of [
    ['with-amphora', 'amphora'],
    ['with-octavia', 'octavia'],
    ['with-velox', 'velox'],
    ['with-none', undefined],
  ] as const) {
    const args = ['loadbalancer', 'create', '--name', name, '--vip-subnet-id', 'public-subnet'];
    if (provider) args.push('--provider', provider);
    const lb = await json(...args);
    t.equal(lb.provider, provider ?? 'amphora', `create ${name}`);
    created[name] = lb.id as string;
    await h.activate(lb.id as string);
  }

  for (const [name, provider] of Object.entries({
    'with-amphora': 'amphora',
    'with-octavia': 'octavia',
    'with-velox': 'velox',
    'with-none': 'amphora',
  })) {
    t.equal((await json('loadbalancer', 'show', name)).provider, provider, `show ${name}`);
  }
  const listed = (await json('loadbalancer', 'list')) as { name: string; provider: string }[];
  t.same(
    Object.fromEntries(listed.map((l) => [l.name, l.provider])),
    { 'with-amphora': 'amphora', 'with-octavia': 'octavia', 'with-velox': 'velox', 'with-none': 'amphora' },
    'list',
  );
  const byProvider = async (p: string) =>
    ((await json('loadbalancer', 'list', '--provider', p)) as { name: string }[]).map((l) => l.name).sort();
  t.same(await byProvider('amphora'), ['with-amphora', 'with-none'], 'list --provider amphora');
  t.same(await byProvider('octavia'), ['with-octavia'], 'list --provider octavia');
  t.same(await byProvider('velox'), ['with-velox'], 'list --provider velox');

  await os('loadbalancer', 'set', '--description', 'renamed', 'with-amphora');
  const after = await json('loadbalancer', 'show', 'with-amphora');
  t.match(after, { description: 'renamed', provider: 'amphora' }, 'an update keeps the provider name');
});
