// Leases on open long-lived streams, kept in the database so that every API replica enforces one
// cap per member. A stream takes a lease when it opens, its heartbeat extends it, and it is
// deleted when the stream closes; a lease whose process died simply expires and stops counting.
// Timed by the database's clock.
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from './db/database';

export class StreamLeases {
  constructor(
    private readonly prisma: PrismaClient,
    /** How long a lease holds without being refreshed. */
    private readonly ttlMs: number,
  ) {}

  /**
   * Takes a lease for one more stream of the member when fewer than `max` unexpired leases are
   * held; returns its id, or undefined at the cap. The member's row is locked for the check and
   * the insert, so two replicas cannot both take the last place.
   */
  async acquire(memberId: string, max: number): Promise<string | undefined> {
    const id = randomUUID();
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM members WHERE id = ${memberId} FOR UPDATE`;
      const inserted = await tx.$executeRaw`
        INSERT INTO stream_leases (id, member_id, opened_at, expires_at)
        SELECT ${id}, ${memberId}, now(), now() + ${this.ttlMs}::int * interval '1 millisecond'
        WHERE (SELECT count(*) FROM stream_leases WHERE member_id = ${memberId} AND expires_at > now()) < ${max}::int`;
      return inserted === 1 ? id : undefined;
    });
  }

  async refresh(id: string): Promise<void> {
    await this.prisma.$executeRaw`UPDATE stream_leases SET expires_at = now() + ${this.ttlMs}::int * interval '1 millisecond' WHERE id = ${id}`;
  }

  async release(id: string): Promise<void> {
    await this.prisma.$executeRaw`DELETE FROM stream_leases WHERE id = ${id} OR expires_at < now() - interval '1 hour'`;
  }

  /** Unexpired leases of a member (for tests and logs). */
  async count(memberId: string): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM stream_leases WHERE member_id = ${memberId} AND expires_at > now()`;
    return Number(rows[0]?.n ?? 0);
  }
}
