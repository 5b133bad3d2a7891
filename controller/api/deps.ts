// What the API needs from the rest of the controller.
import type { ControllerConfig } from '../config.js';
import type { Db } from '../db/database.js';
import type { NetworkDriver } from '../drivers/network/types.js';
import type { SecretsDriver } from '../drivers/secrets/types.js';

export interface ApiDeps {
  config: ControllerConfig;
  db: Db;
  network: NetworkDriver;
  /** Resolves listeners' and pools' TLS refs (checked at create and update). */
  secrets: SecretsDriver;
}
