import { z } from 'zod';

/**
 * Free text: not blank, at most `max` characters as sent, stored trimmed. The length is checked
 * before trimming and blankness by pattern, so the OpenAPI document says exactly what is accepted.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const nonBlankText = (max: number) =>
  z
    .string()
    .max(max)
    // Linear-time: no NUL anywhere (PostgreSQL text cannot hold it), then a non-blank character.
    // eslint-disable-next-line no-control-regex -- matching NUL is the point
    .regex(/^(?=[^\u0000]*$)\s*\S/, 'must not be blank or contain NUL characters')
    .refine((value) => !LONE_SURROGATE.test(value), 'must be well-formed Unicode (no unpaired surrogates)')
    .trim();

/** Identifiers of records: UUIDs and other plain tokens. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;
export const idString = () => z.string().min(1).max(100).regex(ID_PATTERN, 'not an identifier');
