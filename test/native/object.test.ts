// Loading BPF objects: failures say which file and, for the verifier, why.
import t from 'tap';
import { join } from 'node:path';
import { NotFoundError, PermissionError } from '../../src/native/errors.js';
import { compileBpf, prerequisites, repoRoot, tempDir } from './fixture.js';

const addon = prerequisites();

t.test('a missing file is NotFoundError naming the path', async (t) => {
  const err = t.throws(() => addon.loadObject('/nonexistent/velox.bpf.o'));
  t.type(err, NotFoundError);
  t.match(err, { syscall: 'bpf_object__open_file', message: /\(\/nonexistent\/velox\.bpf\.o\)/ });
});

t.test('a program the verifier refuses fails with the verifier log in the message', async (t) => {
  const path = compileBpf(join(repoRoot, 'test', 'native', 'fixtures', 'rejected.bpf.c'), tempDir(t));
  const err = t.throws(() => addon.loadObject(path));
  t.type(err, PermissionError);
  t.match(err, { code: 'EACCES', syscall: 'bpf_object__load' });
  const message = (err as Error).message;
  t.match(message, /^bpf_object__load: Permission denied \(.*rejected\.bpf\.o\)\n/);
  t.match(message, /xdp_rejected/);
  t.match(message, /invalid access to packet/);
});
