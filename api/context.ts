// What every router receives: the clients built by the entry point.
import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Database } from '../lib/db/database';
import type { Logger } from '../lib/logger';

export interface ApiDeps {
  db: Database;
  temporal: Client;
  config: Pick<Config, 'temporal' | 'slaTargets' | 'publicUrl' | 'rateLimitPerMinute' | 'corsOrigins' | 'deliveryRetry' | 'actionLinks'>;
  logger: Logger;
}
