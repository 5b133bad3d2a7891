// Named errors of the agent's keepalived.

/** keepalived is not installed (or not executable) where the agent looks for it. */
export class KeepalivedNotInstalledError extends Error {
  override readonly name = 'KeepalivedNotInstalledError';
  constructor(readonly bin: string) {
    super(`keepalived not found or not executable: ${bin} (apt-get install keepalived)`);
  }
}

/** keepalived refused its config (`keepalived -t`), did not start, or did not stop; `output` is its log. */
export class KeepalivedError extends Error {
  override readonly name = 'KeepalivedError';
  constructor(
    message: string,
    readonly output = '',
  ) {
    super(output ? `${message}: ${output}` : message);
  }
}
