// PGlite for tests, started from a migrated template. A fresh PGlite runs initdb (seconds of CPU
// and some 450 MB) and then every migration; loading the dump the global setup made of a migrated
// cluster takes well under a second. Without the global setup, a fresh cluster is migrated here.
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, pgliteExecutor, type Database } from '../../lib/db/database';
import { migrate } from '../../prisma/migrate';

/** Where the global setup left the dump of a migrated PGlite for this run. */
export const PGLITE_TEMPLATE_ENV = 'HANDOFF_TEST_PGLITE_TEMPLATE';

/** A dump of an empty, migrated PGlite cluster. */
export async function migratedPgliteDump(): Promise<Blob> {
  const pglite = await PGlite.create();
  try {
    await migrate(pgliteExecutor(pglite));
    return await pglite.dumpDataDir('none');
  } finally {
    await pglite.close();
  }
}

/** An in-memory PGlite with every migration applied. */
export async function openTestDatabase(): Promise<Database> {
  const template = process.env[PGLITE_TEMPLATE_ENV];
  const db = await openDatabase({ pgliteTemplate: template ? new Blob([readFileSync(template)]) : undefined });
  await db.migrate();
  return db;
}
