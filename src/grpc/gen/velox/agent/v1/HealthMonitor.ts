// Original file: proto/amphora_agent.proto


export interface HealthMonitor {
  'id'?: (string);
  'type'?: (string);
  'delay'?: (number);
  'timeout'?: (number);
  'max_retries'?: (number);
  'max_retries_down'?: (number);
  'http_method'?: (string);
  'url_path'?: (string);
  'expected_codes'?: (string);
  'domain_name'?: (string);
  'http_version'?: (string);
  'admin_state_up'?: (boolean);
}

export interface HealthMonitor__Output {
  'id': (string);
  'type': (string);
  'delay': (number);
  'timeout': (number);
  'max_retries': (number);
  'max_retries_down': (number);
  'http_method': (string);
  'url_path': (string);
  'expected_codes': (string);
  'domain_name': (string);
  'http_version': (string);
  'admin_state_up': (boolean);
}
