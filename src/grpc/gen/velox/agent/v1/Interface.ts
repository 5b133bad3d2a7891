// Original file: proto/amphora_agent.proto


// Original file: proto/amphora_agent.proto

export const _velox_agent_v1_Interface_Role = {
  ROLE_UNSPECIFIED: 'ROLE_UNSPECIFIED',
  VIP: 'VIP',
  MEMBER: 'MEMBER',
} as const;

export type _velox_agent_v1_Interface_Role =
  | 'ROLE_UNSPECIFIED'
  | 0
  | 'VIP'
  | 1
  | 'MEMBER'
  | 2

export type _velox_agent_v1_Interface_Role__Output = typeof _velox_agent_v1_Interface_Role[keyof typeof _velox_agent_v1_Interface_Role]

export interface Interface {
  'name'?: (string);
  'role'?: (_velox_agent_v1_Interface_Role);
  'addresses'?: (string)[];
}

export interface Interface__Output {
  'name': (string);
  'role': (_velox_agent_v1_Interface_Role__Output);
  'addresses': (string)[];
}
