// What every router receives: the clients built by the entry point.
import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Database } from '../lib/db/database';
import type { Logger } from '../lib/logger';
import type { OutboundPolicy } from '../lib/outbound';

export interface ApiDeps {
  db: Database;
  temporal: Client;
  config: Pick<Config, 'temporal' | 'slaTargets' | 'publicUrl' | 'rateLimitPerMinute' | 'corsOrigins' | 'deliveryRetry' | 'actionLinks' | 'apiKeyRotationsPerDay' | 'rateLimits' | 'trustProxy' | 'streams' | 'outboundAllow' | 'sessions' | 'smtp' | 'dataDir'>;
  logger: Logger;
  /** The namespace has the brief search attributes: briefs are started with them (see workflows/brief/search-attributes.ts). */
  searchAttributes?: boolean;
  /** How webhook and chat URLs are checked when saved; unset: by config.outboundAllow and the system resolver. */
  outbound?: OutboundPolicy;
}
