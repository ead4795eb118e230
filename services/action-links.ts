// One-click action links in emails: a signed, expiring, single-use token per notification and
// action. The token carries its own payload (so a page can name the brief before any lookup) and
// an HMAC over it; the action_tokens row makes it single-use and lets a retried delivery send the
// very same link. A `view` link is signed and expires the same way but only reads: it opens the
// brief's page (/view/<token>) as often as the member likes, and acts on nothing.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrismaClient } from '../lib/db/database';
import { getOrCreateSetting } from './settings';

export const LINK_ACTIONS = ['acknowledge', 'approve', 'requestChanges'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];
/** What a link does: one of the actions, or `view` (read the brief). */
export const LINK_KINDS = [...LINK_ACTIONS, 'view'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export const isLinkAction = (kind: LinkKind): kind is LinkAction => (LINK_ACTIONS as readonly string[]).includes(kind);

export interface ActionLinkPayload {
  /** The action_tokens row: `${notificationId}:${action}`. */
  id: string;
  briefId: string;
  memberId: string;
  action: LinkKind;
  /** Expiry, in Unix seconds. */
  exp: number;
}

export const ACTION_LINK_SECRET_KEY = 'action_link_secret';

/** The configured secret, else the installation's own, generated once and kept in `settings`. */
export async function loadActionLinkSecret(prisma: PrismaClient, configured?: string): Promise<string> {
  if (configured) return configured;
  return getOrCreateSetting(prisma, ACTION_LINK_SECRET_KEY, () => randomBytes(32).toString('base64url'));
}

/** The secret links are signed with, loaded once (again after a failed load). */
export function linkSecret(prisma: PrismaClient, configured: string | undefined): () => Promise<string> {
  let secret: Promise<string> | undefined;
  return () => {
    secret ??= loadActionLinkSecret(prisma, configured).catch((err: unknown) => {
      secret = undefined;
      throw err;
    });
    return secret;
  };
}

const sign = (secret: string, payloadPart: string) => createHmac('sha256', secret).update(payloadPart).digest();

export function signActionToken(secret: string, payload: ActionLinkPayload): string {
  const payloadPart = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${payloadPart}.${sign(secret, payloadPart).toString('base64url')}`;
}

/**
 * When a link stops working: its row's and its token's expiry, and never later than the configured
 * lifetime after it was made, so shortening HANDOFF_ACTION_LINK_TTL also shortens links already sent.
 */
export function linkExpiresAt(row: { expiresAt: Date; createdAt: Date }, link: Pick<ActionLinkPayload, 'exp'>, ttlMs: number): number {
  return Math.min(row.expiresAt.getTime(), link.exp * 1000, row.createdAt.getTime() + ttlMs);
}

/** The payload of a token signed with `secret`; undefined for a malformed or tampered one. Expiry is the caller's to check. */
export function verifyActionToken(secret: string, token: string): ActionLinkPayload | undefined {
  const match = /^([A-Za-z0-9_-]{1,4000})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  const [, payloadPart, signaturePart] = match;
  const presented = Buffer.from(signaturePart, 'base64url');
  const expected = sign(secret, payloadPart);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const p = payload as Partial<ActionLinkPayload> | null;
  if (
    !p ||
    typeof p.id !== 'string' ||
    typeof p.briefId !== 'string' ||
    typeof p.memberId !== 'string' ||
    !LINK_KINDS.includes(p.action as LinkKind) ||
    typeof p.exp !== 'number' ||
    !Number.isInteger(p.exp)
  ) {
    return undefined;
  }
  return { id: p.id, briefId: p.briefId, memberId: p.memberId, action: p.action as LinkKind, exp: p.exp };
}

export interface CreateActionLinkInput {
  secret: string;
  /** The installation's public URL, without a trailing slash. */
  publicUrl: string;
  notificationId: string;
  briefId: string;
  memberId: string;
  action: LinkKind;
  ttlMs: number;
  now?: Date;
  /**
   * Tells apart links of the same notification and action made for different occasions (the
   * brief page makes its action links per revision, so a link used on one round of review does
   * not stand in for the next).
   */
  scope?: string;
  /** The link expires at this instant at the latest (a link made on a page never outlives the page's). */
  notAfter?: Date;
}

/**
 * The link for one action of one notification: `${publicUrl}/actions/<token>`, or
 * `${publicUrl}/view/<token>` for a view link. Idempotent: a retried delivery of the same
 * notification gets the same row, expiry and so the same link.
 */
export async function createActionLink(prisma: PrismaClient, input: CreateActionLinkInput): Promise<string> {
  const id = [input.notificationId, ...(input.scope === undefined ? [] : [input.scope]), input.action].join(':');
  const now = input.now ?? new Date();
  // Whole seconds, so the row's expiry and the token's exp are the same instant.
  const ttlEnd = Math.ceil((now.getTime() + input.ttlMs) / 1000) * 1000;
  const expiresAt = new Date(input.notAfter ? Math.min(ttlEnd, Math.floor(input.notAfter.getTime() / 1000) * 1000) : ttlEnd);
  await prisma.actionToken.createMany({
    data: [{ id, notificationId: input.notificationId, briefId: input.briefId, memberId: input.memberId, action: input.action, expiresAt }],
    skipDuplicates: true,
  });
  const row = await prisma.actionToken.findUniqueOrThrow({ where: { id } });
  const token = signActionToken(input.secret, {
    id,
    briefId: row.briefId,
    memberId: row.memberId,
    action: row.action as LinkKind,
    exp: Math.floor(row.expiresAt.getTime() / 1000),
  });
  return `${input.publicUrl.replace(/\/+$/, '')}/${row.action === 'view' ? 'view' : 'actions'}/${token}`;
}
