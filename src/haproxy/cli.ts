// One command on an HAProxy CLI socket (the admin stats socket or the master CLI): connect,
// send, half-close so HAProxy answers and closes, collect the answer. Bounded in time.
import { connect } from 'node:net';

export class HaproxyCliError extends Error {
  override name = 'HaproxyCliError';
}

export function cliCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(socketPath, () => socket.end(`${command}\n`));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new HaproxyCliError(`no answer to ${JSON.stringify(command)} on ${socketPath} in ${timeoutMs} ms`),
      );
    }, timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(new HaproxyCliError(`${socketPath}: ${err.message}`, { cause: err }));
    });
    socket.on('close', (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
