// The gRPC service definitions, loaded from proto/ with the options the generated types assume.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import type { ProtoGrpcType as AgentProto } from './gen/amphora_agent.js';
import type { ProtoGrpcType as HealthProto } from './gen/health.js';
import { protoDir } from './proto-dir.js';

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

function load(file: string): grpc.GrpcObject {
  const dir = protoDir();
  return grpc.loadPackageDefinition(
    protoLoader.loadSync(join(dir, file), { ...LOADER_OPTIONS, includeDirs: [dir] }),
  );
}

export function agentProto(): AgentProto {
  return load('amphora_agent.proto') as unknown as AgentProto;
}

export function healthProto(): HealthProto {
  return load('health.proto') as unknown as HealthProto;
}
