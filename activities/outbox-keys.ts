// The keys of outbox rows: one row per (event, recipient, channel), its Idempotency-Key what
// webhook receivers see and the same on every attempt, its row id the key made safe for ids and
// file names (and the Message-ID of its email).

/**
 * The one outbox row of an event for a recipient and channel. Events of a branch of history (an
 * operator reset the workflow, see RecordEventsInput.branch) that take the place of undone ones
 * with the same sequence number get keys of their own, so that they are sent too.
 */
export function outboxKey(workflowId: string, seq: number, recipientId: string, channel: string, branch?: string): { idempotencyKey: string; id: string } {
  const idempotencyKey = `${branch ? branchKeyPrefix(workflowId, branch) : `${workflowId}:`}${seq}:${recipientId}:${channel}`;
  return { idempotencyKey, id: idempotencyKey.replace(/[^A-Za-z0-9_-]/g, '_') };
}

/** How the keys of a branch's own rows begin. */
export const branchKeyPrefix = (workflowId: string, branch: string): string => `${workflowId}@${branch}:`;
