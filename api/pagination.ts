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

type Direction = 'asc' | 'desc';

/** Prisma conditions for the rows after a cursor in (field, id) order. */
function after(position: Position | undefined, field: string, direction: Direction) {
  if (!position) return {};
  const beyond = direction === 'desc' ? 'lt' : 'gt';
  return { OR: [{ [field]: { [beyond]: position.at } }, { [field]: position.at, id: { [beyond]: position.id } }] };
}

/** What a list asks the database for: its filter and the rows after the cursor, in (field, id) order, one more than a page. */
export interface PageWindow<W, F extends string> {
  where: { AND: [W, ReturnType<typeof after>] };
  orderBy: [Record<F, Direction>, { id: Direction }];
  take: number;
}

export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

/**
 * One page of a list ordered by (`by`, id): `find` runs the window on the model
 * (`(window) => prisma.party.findMany(window)`), `item` shapes each row for the answer. `first`
 * are rows that sit before every stored one (a built-in at the epoch): only the first page has them.
 */
export async function listPage<W, F extends string, Row extends { id: string } & Record<F, Date>, Item>(options: {
  query: { limit: number; cursor?: string };
  where: W;
  by: F;
  direction: Direction;
  find: (window: PageWindow<W, F>) => Promise<Row[]>;
  item: (row: Row) => Item;
  first?: Row[];
}): Promise<Page<Item>> {
  const { query, where, by, direction, find, item } = options;
  const cursor = decodeCursor(query.cursor);
  const first = cursor ? [] : (options.first ?? []);
  const stored = await find({
    where: { AND: [where, after(cursor, by, direction)] },
    orderBy: [{ [by]: direction } as Record<F, Direction>, { id: direction }],
    take: query.limit + 1 - first.length,
  });
  // Takes `limit + 1` rows: the one beyond the page says there is a next one.
  const rows = [...first, ...stored];
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return { items: items.map(item), nextCursor: rows.length > query.limit && last ? encodeCursor({ at: last[by], id: last.id }) : null };
}

export const pageSchema = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }) }).meta({ id });
