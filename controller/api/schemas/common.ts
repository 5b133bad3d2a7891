// TypeBox building blocks with Octavia's (wsme's) constraints.
import { Type, type TSchema } from 'typebox';

/** wsme lets a client send null for an optional attribute ("unset it"). */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Str255 = Type.String({ maxLength: 255 });
export const Uuid = Type.String({ format: 'uuid' });
export const ProjectId = Type.String({ maxLength: 36 });
export const PortNumber = Type.Integer({ minimum: 1, maximum: 65535 });
export const Tags = Type.Array(Str255);
/** Octavia's timeouts: 0 .. 24 days, in milliseconds. */
export const Timeout = Type.Integer({ minimum: 0, maximum: 24 * 24 * 60 * 60 * 1000 });

export const ListenerProtocols = ['HTTP', 'HTTPS', 'TCP', 'TERMINATED_HTTPS', 'UDP', 'SCTP', 'PROMETHEUS'];
export const PoolProtocols = ['HTTP', 'HTTPS', 'PROXY', 'PROXYV2', 'TCP', 'UDP', 'SCTP'];
export const LbAlgorithms = ['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP', 'SOURCE_IP_PORT'];
export const SessionPersistenceTypes = ['SOURCE_IP', 'HTTP_COOKIE', 'APP_COOKIE'];
export const ClientAuthModes = ['NONE', 'OPTIONAL', 'MANDATORY'];
/** Container / secret references: not resolved until the secrets driver exists (issue 5). */
export const ContainerRef = Str255;
/** OpenSSL cipher string (Octavia's max_length 2048). */
export const TlsCiphers = Type.String({ maxLength: 2048 });
/** TLS versions and ALPN protocols: values are checked in code, with Octavia's messages. */
export const TlsVersionList = Type.Array(Type.String({ maxLength: 32 }));
export const AlpnList = Type.Array(Type.String());

/** Every request body: one object under the resource's singular key, nothing else. */
export function envelope<K extends string, T extends TSchema>(key: K, inner: T) {
  return Type.Object({ [key]: inner } as { [P in K]: T }, { additionalProperties: false });
}
