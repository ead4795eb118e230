// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded PGlite).
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { openDatabase } from '../lib/db/database';

async function main() {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pglite') });
  try {
    const applied = await db.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
