// Applies the SQL migrations under prisma/migrations in name order, each once, inside a
// transaction and under an advisory lock so that several processes starting together agree.
// (The Prisma CLI's migrate commands need a schema-engine binary; this runs anywhere.)
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface SqlExecutor {
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
const LOCK_ID = 746_214_019;

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    entries.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** Applies pending migrations and returns the names of those it applied. */
export async function migrate(db: SqlExecutor, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await readMigrations());
  await db.exec(`CREATE TABLE IF NOT EXISTS "handoff_migrations" (
    "name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
  await db.exec(`SELECT pg_advisory_lock(${LOCK_ID})`);
  try {
    const applied = new Map(
      (await db.query<{ name: string; checksum: string }>('SELECT name, checksum FROM "handoff_migrations"')).map((r) => [r.name, r.checksum]),
    );
    const done: string[] = [];
    for (const migration of all) {
      const checksum = applied.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) throw new Error(`migration ${migration.name} was changed after it was applied`);
        continue;
      }
      await db.exec(`BEGIN;\n${migration.sql}\n;INSERT INTO "handoff_migrations" ("name", "checksum") VALUES ('${migration.name}', '${migration.checksum}');\nCOMMIT;`);
      done.push(migration.name);
    }
    return done;
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await db.exec(`SELECT pg_advisory_unlock(${LOCK_ID})`);
  }
}
