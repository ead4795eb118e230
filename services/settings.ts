// Installation-wide values kept in the database (the `settings` table), such as secrets that
// every process of one installation has to share.
import type { PrismaClient } from '../lib/db/database';

/**
 * The value stored under `key`, storing `create()` first if there is none. Insert-if-absent, so
 * processes that start together agree on one value: whichever insert lands first wins, and the
 * others read it.
 */
export async function getOrCreateSetting(prisma: PrismaClient, key: string, create: () => string): Promise<string> {
  const existing = await prisma.setting.findUnique({ where: { key } });
  if (existing) return existing.value;
  await prisma.setting.createMany({ data: [{ key, value: create() }], skipDuplicates: true });
  return (await prisma.setting.findUniqueOrThrow({ where: { key } })).value;
}
