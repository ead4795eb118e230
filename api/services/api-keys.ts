// The rules of API keys: a member's keys are managed by admins and by the member themself; a key
// is shown once and kept as a hash; rotation keeps the old key working for an overlap, gives the
// new key no later expiry than the old one, happens once per key and at most
// HANDOFF_API_KEY_ROTATIONS_PER_DAY times a day per member; every change is audited.
import { generateApiKey } from '../../lib/keys';
import { newId } from '../../lib/ids';
import { parseDuration } from '../../workflows/domain/duration';
import { audit } from '../../services/audit';
import { canSeeParty, type Caller } from '../auth';
import type { ApiDeps } from '../context';
import { conflict, fieldError, forbidden, notFound, rateLimited } from '../errors';
import { keyJson } from '../routes/directory.schemas';

/** An expiry given in a request: none, or one ahead. */
function futureExpiry(expiresAt: string | undefined): Date | null {
  const at = expiresAt ? new Date(expiresAt) : null;
  if (at && at.getTime() <= Date.now()) throw fieldError('body.expiresAt', 'must be in the future');
  return at;
}

const DAY_MS = 86_400_000;

/**
 * The new key's expiry on rotation: the one asked for, but never later than the old key's. A key
 * without expiry passes on none unless one is asked for; a key with one passes it on when none is.
 */
export function replacementExpiry(old: Date | null, requested: Date | null): Date | null {
  if (!old) return requested;
  return requested && requested < old ? requested : old;
}

export function apiKeyService({ db: { prisma }, logger, config }: Pick<ApiDeps, 'db' | 'logger' | 'config'>) {
  async function issueKey(memberId: string, expiresAt: Date | null) {
    const { key, prefix, hash } = generateApiKey();
    const created = await prisma.apiKey.create({ data: { id: newId(), memberId, prefix, hash, expiresAt } });
    return { created, key };
  }

  /** A key of the member, 404 when the member has none of that id. */
  async function keyOf(memberId: string, keyId: string) {
    const key = await prisma.apiKey.findFirst({ where: { id: keyId, memberId } });
    if (!key) throw notFound('api key');
    return key;
  }

  return {
    /** A member whose keys the caller manages: admins and the member themself; 403 for others who see the party, 404 for the rest. */
    async keyOwner(caller: Caller, memberId: string) {
      const member = await prisma.member.findUnique({ where: { id: memberId } });
      if (!member || (caller.role !== 'admin' && caller.memberId !== member.id)) {
        if (member && canSeeParty(caller, member.partyId)) throw forbidden("only admins and the member themself manage a member's keys");
        throw notFound('member');
      }
      return member;
    },

    /** A new key for the member: the secret is in the answer only. */
    async create(caller: Caller, memberId: string, body: { expiresAt?: string }) {
      const expiresAt = futureExpiry(body.expiresAt);
      const { created, key } = await issueKey(memberId, expiresAt);
      await audit(prisma, { actorId: caller.memberId, action: 'api_key.created', targetType: 'api_key', targetId: created.id, after: keyJson(created) });
      logger.info({ memberId, keyId: created.id, prefix: created.prefix, by: caller.memberId }, 'api key created');
      return { ...keyJson(created), key };
    },

    async revoke(caller: Caller, memberId: string, keyId: string) {
      const key = await keyOf(memberId, keyId);
      if (key.revokedAt) throw conflict('the key is already revoked');
      const revoked = await prisma.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
      // Web sessions signed in by the key end with it.
      await prisma.webSession.updateMany({ where: { apiKeyId: key.id, endedAt: null }, data: { endedAt: revoked.revokedAt, endReason: 'key_revoked' } });
      await audit(prisma, { actorId: caller.memberId, action: 'api_key.revoked', targetType: 'api_key', targetId: key.id, before: keyJson(key), after: keyJson(revoked) });
      return keyJson(revoked);
    },

    /**
     * A new key; the old one keeps working for the overlap (never longer than it would have), then
     * expires. The new key expires no later than the old one would have; a key is rotated once;
     * a member's rotations of the last 24 hours are limited (429 with Retry-After).
     */
    async rotate(caller: Caller, memberId: string, keyId: string, body: { overlap: string; expiresAt?: string }) {
      const old = await keyOf(memberId, keyId);
      if (old.rotatedAt) throw conflict('the key was already rotated; rotate its replacement instead');
      if (old.revokedAt || (old.expiresAt && old.expiresAt.getTime() <= Date.now())) throw conflict('the key is revoked or expired; create a new one');
      const newExpiry = replacementExpiry(old.expiresAt, futureExpiry(body.expiresAt));
      const now = new Date();
      const since = new Date(now.getTime() - DAY_MS);
      const recent = await prisma.apiKey.findMany({ where: { memberId, rotatedAt: { gt: since } }, select: { rotatedAt: true }, orderBy: { rotatedAt: 'asc' } });
      const limit = config.apiKeyRotationsPerDay;
      if (recent.length >= limit) {
        // The window frees a rotation when the oldest of the last `limit` rotations is a day old.
        const freedAt = (recent[recent.length - limit].rotatedAt as Date).getTime() + DAY_MS;
        throw rateLimited(`more than ${limit} key rotations in 24 hours for this member (HANDOFF_API_KEY_ROTATIONS_PER_DAY)`, (freedAt - now.getTime()) / 1000);
      }
      const overlapEnds = new Date(now.getTime() + (parseDuration(body.overlap) as number));
      const previousExpiry = old.expiresAt && old.expiresAt < overlapEnds ? old.expiresAt : overlapEnds;
      // Marked rotated only if nobody rotated it meanwhile: two rotations at once give one new key.
      const claimed = await prisma.apiKey.updateMany({ where: { id: old.id, rotatedAt: null }, data: { rotatedAt: now, expiresAt: previousExpiry } });
      if (claimed.count === 0) throw conflict('the key was already rotated; rotate its replacement instead');
      const { created, key } = await issueKey(memberId, newExpiry);
      const previous = await prisma.apiKey.update({ where: { id: old.id }, data: { rotatedToId: created.id } });
      await audit(prisma, {
        actorId: caller.memberId,
        action: 'api_key.rotated',
        targetType: 'api_key',
        targetId: old.id,
        before: keyJson(old),
        after: { previous: keyJson(previous), replacement: keyJson(created) },
      });
      return { ...keyJson(created), key, previous: keyJson(previous) };
    },
  };
}
