// Loads the gRPC contracts (proto/*.proto) for the controller's clients and servers.
// The folder is found by walking up, so this works from controller/ (tap, tsx) and
// from dist/controller/ (the built controller).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as AgentProto } from '../../src/grpc/gen/amphora_agent.js';
import type { ProtoGrpcType as HealthProto } from '../../src/grpc/gen/health.js';

function protoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'proto', 'health.proto'))) return join(dir, 'proto');
    dir = dirname(dir);
  }
  throw new Error('proto/ folder not found above ' + fileURLToPath(import.meta.url));
}

// Same options as scripts/gen-proto.mjs, so runtime objects match the generated types.
const OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

function load<T>(file: string): T {
  const dir = protoDir();
  const def = protoLoader.loadSync(join(dir, file), { ...OPTIONS, includeDirs: [dir] });
  return grpc.loadPackageDefinition(def) as unknown as T;
}

let agent: AgentProto | undefined;
let health: HealthProto | undefined;

export function agentProto(): AgentProto {
  return (agent ??= load<AgentProto>('amphora_agent.proto'));
}

export function healthProto(): HealthProto {
  return (health ??= load<HealthProto>('health.proto'));
}
