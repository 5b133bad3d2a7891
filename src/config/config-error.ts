/** A configuration that cannot be applied; `path` names the offending field (e.g. `pools[0].members[2].address`). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path ? `${path}: ${reason}` : reason);
  }
}
