// What the worker needs from a compute service: make and remove amphorae. The local
// driver (netns.ts) uses network namespaces; a Nova driver would implement the same.

/** One NIC of the amphora: its in-amphora name, the bridge it plugs into, its addresses (CIDR). */
export interface AmphoraNic {
  name: string; // mgmt0 | vip0 | mem0 …
  bridge: string;
  addresses: string[];
}

/** The agent's `--bootstrap` file (see the agent CLI); tls and pin_root are filled in by the driver. */
export interface AgentBootstrap {
  amphora_id: string;
  grpc_listen: string;
  metrics_listen: string;
  tls: { ca: string; cert: string; key: string };
  heartbeat: { target: string; interval_ms: number };
  pin_root: string;
  bpf_object: string;
}

export interface CreateAmphoraRequest {
  amphoraId: string;
  nics: AmphoraNic[];
  /** Next hop of the default route (the VIP subnet's gateway), so the amphora can answer clients. */
  defaultGateway?: string;
  bootstrap: Omit<AgentBootstrap, 'tls' | 'pin_root'>;
  tls: { caPem: string; certPem: string; keyPem: string };
}

export interface AmphoraHandle {
  amphoraId: string;
  /** The driver's name for it (the netns name for the local driver). */
  computeId: string;
  pid: number;
}

export interface ComputeDriver {
  createAmphora(req: CreateAmphoraRequest): Promise<AmphoraHandle>;
  /** Removes everything the driver made for this amphora. Idempotent. */
  deleteAmphora(amphoraId: string): Promise<void>;
  /** Amphora ids the driver finds on the host (including leftovers of a crash). */
  listAmphorae(): Promise<string[]>;
  /** Removes every amphora the driver can find. */
  cleanupAll(): Promise<void>;
}
