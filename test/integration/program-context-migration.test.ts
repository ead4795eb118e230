// The migration that gives briefs, escalations, feed entries and scorecard rows their program:
// briefs a program started before it carry the program in their recorded state, and every row of
// theirs gets its id; rows of briefs outside a program stay without one. Run on PGlite over rows
// written before the migration.
import { PGlite } from '@electric-sql/pglite';
import { pgliteExecutor } from '../../lib/db/database';
import { migrate, readMigrations } from '../../prisma/migrate';

const PROGRAM_CONTEXT_MIGRATION = '20261129020000_program_context';

test('the briefs of a program, their escalations, feed entries and scorecard rows get its id; others none', async () => {
  const pglite = await PGlite.create();
  try {
    const db = pgliteExecutor(pglite);
    const migrations = await readMigrations();
    expect(migrations.map((m) => m.name)).toContain(PROGRAM_CONTEXT_MIGRATION);
    await migrate(db, migrations.filter((m) => m.name < PROGRAM_CONTEXT_MIGRATION));
    const snapshot = (program: object | null) => JSON.stringify({ brief: { id: 'x', title: 'x', ...(program ? { program } : {}) } }).replace(/'/g, "''");
    await db.exec(`
      INSERT INTO "parties" ("id", "name", "kind") VALUES ('agency', 'Pixelwerk', 'agency');
      INSERT INTO "briefs" ("id", "workflow_id", "title", "party_id", "manager_id", "priority", "status", "revision", "last_seq", "snapshot", "created_at", "updated_at") VALUES
        ('in-program', 'brief-in-program', 'Supplier data', 'agency', 'mara', 'P2', 'awaiting_ack', 1, 3, '${snapshot({ id: 'launch', name: 'Winter launch', key: 'supplier-data', inputs: [] })}', now(), now()),
        ('outside', 'brief-outside', 'Banner', 'agency', 'mara', 'P2', 'awaiting_ack', 1, 3, '${snapshot(null)}', now(), now());
      INSERT INTO "escalations" ("id", "brief_id", "party_id", "clock", "level", "state", "raised_at") VALUES
        ('e-in', 'in-program', 'agency', 'acknowledge', 1, 'open', now()),
        ('e-out', 'outside', 'agency', 'acknowledge', 1, 'open', now());
      INSERT INTO "escalation_feed" ("escalation_id", "kind", "at", "brief_id", "party_id", "clock", "level") VALUES
        ('e-in', 'raised', now(), 'in-program', 'agency', 'acknowledge', 1),
        ('e-out', 'raised', now(), 'outside', 'agency', 'acknowledge', 1);
      INSERT INTO "scorecard_briefs" ("brief_id", "party_id", "agreement", "priority", "created_at", "outcome", "facts_version") VALUES
        ('in-program', 'agency', 'external', 'P2', now(), 'open', 1),
        ('outside', 'agency', 'external', 'P2', now(), 'open', 1);
    `);
    expect(await migrate(db, migrations)).toContain(PROGRAM_CONTEXT_MIGRATION);
    const programs = async (table: string, key: string) =>
      Object.fromEntries((await db.query<{ key: string; program_id: string | null }>(`SELECT "${key}" AS key, "program_id" FROM "${table}" ORDER BY 1`)).map((r) => [r.key, r.program_id]));
    expect(await programs('briefs', 'id')).toEqual({ 'in-program': 'launch', outside: null });
    expect(await programs('escalations', 'id')).toEqual({ 'e-in': 'launch', 'e-out': null });
    expect(await programs('escalation_feed', 'escalation_id')).toEqual({ 'e-in': 'launch', 'e-out': null });
    expect(await programs('scorecard_briefs', 'brief_id')).toEqual({ 'in-program': 'launch', outside: null });
  } finally {
    await pglite.close();
  }
}, 60_000);
