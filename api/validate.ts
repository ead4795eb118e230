import { z } from 'zod';
import { validationError } from './errors';

/** Parses request data with a zod schema, answering 400 with the offending fields. */
export function parse<S extends z.ZodType>(schema: S, data: unknown, where: 'body' | 'query' | 'params' = 'body'): z.infer<S> {
  const result = schema.safeParse(data ?? {});
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/**
 * Free text: not blank, at most `max` characters as sent, stored trimmed. The length is checked
 * before trimming and blankness by pattern, so the OpenAPI document says exactly what is accepted.
 */
export const nonBlankText = (max: number) => z.string().max(max).regex(/\S/, 'must not be blank').trim();
