// Cursor pagination: lists are ordered by (time, id), newest first unless a router says
// otherwise, and the cursor is the last item's position, opaque to clients.
import { z } from 'zod';
import { fieldError } from './errors';
import { ID_PATTERN } from './validate';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .meta({ description: `Page size, 1 to ${MAX_PAGE_SIZE}.`, example: 20 }),
  cursor: z.string().min(1).max(500).optional().meta({ description: 'The `nextCursor` of the previous page.' }),
});

export interface Position {
  at: Date;
  id: string;
}

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify({ at: position.at.toISOString(), id: position.id })).toString('base64url');
}

export function decodeCursor(value: string | undefined): Position | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as { at?: unknown; id?: unknown };
    if (typeof parsed.id === 'string' && ID_PATTERN.test(parsed.id) && typeof parsed.at === 'string' && !Number.isNaN(Date.parse(parsed.at))) {
      return { at: new Date(parsed.at), id: parsed.id };
    }
  } catch {
    // fall through
  }
  throw fieldError('query.cursor', 'not a cursor returned by this API');
}

/** Prisma conditions for the rows after a cursor in (field, id) order. */
export function after(position: Position | undefined, field: string, direction: 'asc' | 'desc') {
  if (!position) return {};
  const beyond = direction === 'desc' ? 'lt' : 'gt';
  return { OR: [{ [field]: { [beyond]: position.at } }, { [field]: position.at, id: { [beyond]: position.id } }] };
}

/** Takes `limit + 1` rows, returns one page and the cursor of the next one. */
export function page<T extends { id: string }>(rows: T[], limit: number, at: (row: T) => Date): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor({ at: at(last), id: last.id }) : null };
}

export const pageSchema = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }) }).meta({ id });
