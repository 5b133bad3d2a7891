// The checked-in TypeScript types must be exactly what proto/ generates today.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const checkedIn = join(root, 'src/grpc/gen');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

t.test('src/grpc/gen matches proto/', (t) => {
  const out = mkdtempSync(join(tmpdir(), 'velox-gen-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  execFileSync(process.execPath, [join(root, 'scripts/gen-proto.mjs'), out], { stdio: 'pipe' });
  const fresh = files(out)
    .map((f) => relative(out, f))
    .sort();
  t.same(
    files(checkedIn)
      .map((f) => relative(checkedIn, f))
      .sort(),
    fresh,
    'same files',
  );
  for (const f of fresh) {
    t.equal(readFileSync(join(checkedIn, f), 'utf8'), readFileSync(join(out, f), 'utf8'), f);
  }
  t.end();
});
