// Original file: proto/amphora_agent.proto


export interface Hsts {
  'max_age'?: (number);
  'include_subdomains'?: (boolean);
  'preload'?: (boolean);
}

export interface Hsts__Output {
  'max_age': (number);
  'include_subdomains': (boolean);
  'preload': (boolean);
}
