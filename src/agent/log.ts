// One JSON line per event on stderr: easy to grep, easy to ship.
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

function write(level: string, event: string, fields: LogFields = {}): void {
  const line = { time: new Date().toISOString(), level, event, ...fields };
  process.stderr.write(
    `${JSON.stringify(line, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
  );
}

export const stderrLogger: Logger = {
  info: (event, fields) => write('info', event, fields),
  warn: (event, fields) => write('warn', event, fields),
  error: (event, fields) => write('error', event, fields),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Error to loggable fields, without stack noise. */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) return { error: err.message, name: err.name };
  return { error: String(err) };
}
