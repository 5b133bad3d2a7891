// Regenerates the checked-in TypeScript types for proto/*.proto (src/grpc/gen/).
// test/grpc/gen.test.ts runs this into a temporary folder and compares, so the
// stubs can never drift from the .proto files.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = process.argv[2] ?? join(root, 'src/grpc/gen');
const protos = readdirSync(join(root, 'proto')).filter((f) => f.endsWith('.proto'));
execFileSync(
  join(root, 'node_modules/.bin/proto-loader-gen-types'),
  [
    ...protos,
    '--keepCase',
    '--importFileExtension=.js',
    '--longs=String',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--grpcLib=@grpc/grpc-js',
    '--outDir',
    outDir,
    '--includeDirs',
    join(root, 'proto'),
  ],
  { stdio: 'inherit' },
);

// The generator writes absolute paths into headers; make them relative so the output
// is the same from any clone.
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
for (const file of walk(outDir)) {
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.split(root + '/').join(''));
}
