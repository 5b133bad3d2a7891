// The example in etc/ that the README points standalone users at must stay valid.
import t from 'tap';
import { join } from 'node:path';
import { loadAmphoraConfig } from '../../src/config/amphora-config.js';

t.test('etc/standalone.example.json is a valid AmphoraConfig', async (t) => {
  const config = await loadAmphoraConfig(
    join(import.meta.dirname, '..', '..', 'etc', 'standalone.example.json'),
  );
  t.equal(config.listeners.length, 1);
  t.equal(config.pools[0]?.members.length, 2);
});
