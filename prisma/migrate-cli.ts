// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded PGlite),
// then creates the bootstrap admin from HANDOFF_BOOTSTRAP_ADMIN_KEY if no admin exists yet.
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { openDatabase } from '../lib/db/database';
import { bootstrapAdmin } from '../services/directory-setup';

async function main() {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pglite') });
  try {
    const applied = await db.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    if (config.bootstrapAdminKey && (await bootstrapAdmin(db.prisma, config.bootstrapAdminKey))) {
      console.log('bootstrap admin created from HANDOFF_BOOTSTRAP_ADMIN_KEY');
    }
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
