// errors.ts alone (no kernel): raw addon errors become named classes, keeping the
// message and errno/code/syscall; anything else passes through untouched.
import t from 'tap';
import {
  BusyError,
  ExistsError,
  InvalidArgumentError,
  NativeError,
  NoSpaceError,
  NotFoundError,
  NotSupportedError,
  PermissionError,
  wrapNative,
} from '../../src/native/errors.js';

function raw(errno: number, code: string, syscall: string): Error {
  return Object.assign(new Error(`${syscall}: something`), { errno, code, syscall });
}

t.test('each errno code maps to its class', async (t) => {
  const cases: [string, number, typeof NativeError][] = [
    ['ENOENT', 2, NotFoundError],
    ['ENODEV', 19, NotFoundError],
    ['EEXIST', 17, ExistsError],
    ['EPERM', 1, PermissionError],
    ['EACCES', 13, PermissionError],
    ['EBUSY', 16, BusyError],
    ['EINVAL', 22, InvalidArgumentError],
    ['EOPNOTSUPP', 95, NotSupportedError],
    ['ENOTSUPP', 524, NotSupportedError],
    ['E2BIG', 7, NoSpaceError],
    ['ENOSPC', 28, NoSpaceError],
    ['EIO', 5, NativeError],
  ];
  for (const [code, errno, Class] of cases) {
    const addon = wrapNative({
      fail: (): never => {
        throw raw(errno, code, 'bpf_map_update_elem');
      },
    });
    const err = t.throws(() => addon.fail()) as NativeError;
    t.type(err, Class, code);
    t.type(err, NativeError);
    t.equal(err.message, 'bpf_map_update_elem: something');
    t.match(err, { errno, code, syscall: 'bpf_map_update_elem', name: Class.name });
  }
});

t.test('results, non-function members and other errors pass through', async (t) => {
  const addon = wrapNative({
    version: 3,
    add: (a: number, b: number) => a + b,
    bad: (): never => {
      throw new TypeError('fd must be a number');
    },
  });
  t.equal(addon.version, 3);
  t.equal(addon.add(2, 3), 5);
  const err = t.throws(() => addon.bad());
  t.type(err, TypeError);
  t.notOk(err instanceof NativeError);
});
