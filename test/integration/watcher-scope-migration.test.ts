// The migration that gives members a scope: watchers of the e-commerce party who watched every
// party before keep doing so (`all`); every other member, watchers of other parties included,
// starts at `party`. Run on PGlite over a directory written before the migration.
import { PGlite } from '@electric-sql/pglite';
import { pgliteExecutor } from '../../lib/db/database';
import { migrate, readMigrations } from '../../prisma/migrate';

const SCOPE_MIGRATION = '20261128330000_watcher_scope';

test("existing watchers of the e-commerce party get the scope all, every other member party", async () => {
  const pglite = await PGlite.create();
  try {
    const db = pgliteExecutor(pglite);
    const migrations = await readMigrations();
    expect(migrations.map((m) => m.name)).toContain(SCOPE_MIGRATION);
    await migrate(db, migrations.filter((m) => m.name < SCOPE_MIGRATION));
    await db.exec(`
      INSERT INTO "parties" ("id", "name", "kind") VALUES ('shop', 'Shop', 'ecommerce'), ('it', 'IT', 'it'), ('agency', 'Pixelwerk', 'agency');
      INSERT INTO "members" ("id", "party_id", "name", "email", "role") VALUES
        ('tom', 'shop', 'Tom', 'tom@shop.example', 'watcher'),
        ('mara', 'shop', 'Mara', 'mara@shop.example', 'manager'),
        ('ivan', 'it', 'Ivan', 'ivan@it.example', 'watcher'),
        ('wanda', 'agency', 'Wanda', 'wanda@pixel.example', 'watcher'),
        ('paula', 'agency', 'Paula', 'paula@pixel.example', 'member');
    `);
    expect(await migrate(db, migrations)).toContain(SCOPE_MIGRATION);
    const rows = await db.query<{ id: string; scope: string }>(`SELECT "id", "scope"::text AS "scope" FROM "members" ORDER BY "id"`);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.scope]))).toEqual({ ivan: 'party', mara: 'party', paula: 'party', tom: 'all', wanda: 'party' });
  } finally {
    await pglite.close();
  }
}, 60_000);
