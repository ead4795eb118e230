import { randomUUID } from 'node:crypto';

/** A new identifier for a directory or brief record. */
export function newId(): string {
  return randomUUID();
}
