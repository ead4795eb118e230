import type { z } from 'zod';
import { validationError } from './errors';

/** Parses request data with a zod schema, answering 400 with the offending fields. */
export function parse<S extends z.ZodType>(schema: S, data: unknown, where: 'body' | 'query' | 'params' = 'body'): z.infer<S> {
  const result = schema.safeParse(data ?? {});
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}
