// mTLS material from files: the server requires a client certificate chaining to the CA;
// the client presents its own and verifies the server against the same CA.
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

export function serverCredentials(tls: TlsFiles | null): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    readFileSync(tls.ca),
    [{ cert_chain: readFileSync(tls.cert), private_key: readFileSync(tls.key) }],
    true,
  );
}

export function clientCredentials(tls: TlsFiles | null): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(readFileSync(tls.ca), readFileSync(tls.key), readFileSync(tls.cert));
}
