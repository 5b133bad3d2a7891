// Errors thrown by the native addon, re-typed in one place. The addon throws a plain
// Error with `errno` (positive), `code` ('ENOENT') and `syscall` ('bpf_map_update_elem');
// wrapNative() turns it into the named class below, keeping the message.

interface RawNativeError extends Error {
  errno: number;
  code: string;
  syscall: string;
}

/** Any failed syscall or libbpf call of the addon. */
export class NativeError extends Error {
  readonly errno: number;
  readonly code: string;
  readonly syscall: string;

  constructor(message: string, errno: number, code: string, syscall: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.errno = errno;
    this.code = code;
    this.syscall = syscall;
  }
}

/** ENOENT/ENODEV: no such key, pin, program or interface. */
export class NotFoundError extends NativeError {}
/** EEXIST: the key exists (BPF_NOEXIST) or the pin path is taken. */
export class ExistsError extends NativeError {}
/** EPERM/EACCES: missing capability, or the verifier refused the program. */
export class PermissionError extends NativeError {}
/** EBUSY: e.g. an XDP program attached through a link blocks netlink attach/detach. */
export class BusyError extends NativeError {}
/** EINVAL: the kernel rejected an argument (wrong sizes, flags, map type). */
export class InvalidArgumentError extends NativeError {}
/** EOPNOTSUPP/ENOTSUPP: e.g. native XDP on a driver without it. */
export class NotSupportedError extends NativeError {}
/** E2BIG/ENOSPC: map full, or the value does not fit. */
export class NoSpaceError extends NativeError {}

const byCode: Record<string, typeof NativeError> = {
  ENOENT: NotFoundError,
  ENODEV: NotFoundError,
  EEXIST: ExistsError,
  EPERM: PermissionError,
  EACCES: PermissionError,
  EBUSY: BusyError,
  EINVAL: InvalidArgumentError,
  EOPNOTSUPP: NotSupportedError,
  ENOTSUPP: NotSupportedError,
  E2BIG: NoSpaceError,
  ENOSPC: NoSpaceError,
};

function isRaw(err: unknown): err is RawNativeError {
  if (!(err instanceof Error)) return false;
  const e = err as Partial<RawNativeError>;
  return typeof e.errno === 'number' && typeof e.code === 'string' && typeof e.syscall === 'string';
}

/** The named error for a raw addon error; anything else (TypeErrors for bad arguments) is returned as is. */
export function toNativeError(err: unknown): unknown {
  if (!isRaw(err) || err instanceof NativeError) return err;
  const Class = byCode[err.code] ?? NativeError;
  return new Class(err.message, err.errno, err.code, err.syscall, { cause: err });
}

/** The addon with every function re-throwing its errors as named errors. */
export function wrapNative<T extends object>(addon: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(addon)) {
    if (typeof value !== 'function') {
      wrapped[name] = value;
      continue;
    }
    const fn = value as (...args: unknown[]) => unknown;
    wrapped[name] = (...args: unknown[]): unknown => {
      try {
        return fn(...args);
      } catch (err) {
        throw toNativeError(err);
      }
    };
  }
  return wrapped as T;
}
