// Named errors of the HAProxy side of the agent. The agent maps them to listener statuses
// and log events; none of them leaves HAProxy half-configured (the old config keeps serving).

/**
 * A configuration HAProxy cannot be given: a value that would not be a single safe token
 * in haproxy.cfg (`path` names the field, e.g. `pools[0].members[1].address`), or a rendered
 * file that `haproxy -c` refused (`output` holds haproxy's own message).
 */
export class HaproxyConfigError extends Error {
  override name = 'HaproxyConfigError';
  constructor(
    message: string,
    readonly path = '',
    readonly output = '',
  ) {
    super(path ? `${path}: ${message}` : message);
  }
}

/** Valid input that HAProxy does not serve: UDP and SCTP, a UDP-CONNECT monitor, a TLS version gap. */
export class HaproxyUnsupportedError extends HaproxyConfigError {
  override name = 'HaproxyUnsupportedError';
}

/** The HAProxy master did not start, did not reload, or died; `output` is its recent stderr. */
export class HaproxyProcessError extends Error {
  override name = 'HaproxyProcessError';
  constructor(
    message: string,
    readonly output = '',
  ) {
    super(output ? `${message}\n${output}` : message);
  }
}

/** The HAProxy binary cannot be run. */
export class HaproxyNotInstalledError extends Error {
  override name = 'HaproxyNotInstalledError';
  constructor(readonly binary: string) {
    super(`HAProxy is not installed: cannot run ${JSON.stringify(binary)} (install haproxy >= 2.6)`);
  }
}
