// Opens Handoff's database: a PostgreSQL server when DATABASE_URL is set, otherwise PGlite
// (PostgreSQL in WebAssembly) persisted under the data folder. Both run the same migrations
// and are reached through the same Prisma client.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { migrate, type SqlExecutor } from '../../prisma/migrate';
import { PrismaClient } from './generated/client';

export type { PrismaClient };

export interface Database {
  prisma: PrismaClient;
  kind: 'postgresql' | 'pglite';
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Answers when the database is reachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  /** Folder for PGlite's files; in memory when undefined and no databaseUrl is given. */
  pgliteDir?: string;
  /** A dump of PGlite's files (`dumpDataDir`) to start from instead of an empty cluster. */
  pgliteTemplate?: Blob;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openPglite(options.pgliteDir, options.pgliteTemplate);
}

async function openPostgres(connectionString: string): Promise<Database> {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString, connectionTimeoutMillis: 5_000 }) });
  return {
    prisma,
    kind: 'postgresql',
    async migrate() {
      // One dedicated connection, so the advisory lock and the migration share a session.
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        const executor: SqlExecutor = {
          exec: async (sql) => {
            await client.query(sql);
          },
          query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
        };
        return await migrate(executor);
      } finally {
        await client.end();
      }
    },
    async ping() {
      await prisma.$queryRawUnsafe('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
    },
  };
}

/** Runs migrations' SQL on a PGlite. */
export function pgliteExecutor(pglite: PGlite): SqlExecutor {
  return {
    exec: async (sql) => {
      await pglite.exec(sql);
    },
    query: async <T>(sql: string, params?: unknown[]) => (await pglite.query<T>(sql, params)).rows,
  };
}

async function openPglite(dir: string | undefined, template: Blob | undefined): Promise<Database> {
  if (dir) mkdirSync(path.dirname(dir), { recursive: true });
  const pglite = await PGlite.create({ dataDir: dir, loadDataDir: template });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    kind: 'pglite',
    migrate: () => migrate(pgliteExecutor(pglite)),
    async ping() {
      await pglite.query('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
