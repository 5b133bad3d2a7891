// The example in etc/ that the README points standalone users at must stay valid.
import t from 'tap';
import { join } from 'node:path';
import { loadAmphoraConfig } from '../../src/config/amphora-config.js';
import { compile } from '../../src/dataplane/compiler.js';
import { emptyAllocations, emptyState } from '../../src/dataplane/state.js';

t.test('etc/standalone.example.json is a valid AmphoraConfig', async (t) => {
  const config = await loadAmphoraConfig(
    join(import.meta.dirname, '..', '..', 'etc', 'standalone.example.json'),
  );
  t.equal(config.listeners.length, 2);
  t.equal(config.pools[0]?.members.length, 3);
  const c = compile(config, emptyAllocations(), emptyState());
  t.same(c.problems, [], 'every part of it is served by the fast path');
  t.same(
    c.listeners.map((l) => [l.id, l.servedBy]),
    [
      ['web', 'xdp'],
      ['dns6', 'xdp'],
    ],
  );
});
