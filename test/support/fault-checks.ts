// What the fault tests assert after the dust settles, as lists of differences (empty when all is
// well) so that one failure names every brief and row that is off:
// - the read model (GET /v1/briefs/:id and the database rows) against each workflow's own state;
// - every notification once: the outbox rows an event calls for against the rows there are, and
//   the sent rows against what the SMTP server and the webhook receiver got, deduplicated by
//   Message-ID and Idempotency-Key.
import { defaultPayloadConverter } from '@temporalio/common';
import type { RecordEventsInput } from '../../activities/types';
import { messageIdFor } from '../../activities/notifications/mailer';
import { audienceFor, type Audience } from '../../workflows/domain/audience';
import type { BriefView } from '../../workflows/domain/brief';
import type { TimelineEvent } from '../../workflows/domain/events';
import { CLOCKS } from '../../workflows/domain/vocabulary';
import { briefWorkflowId } from '../../workflows/domain/ids';
import { notificationEventOf } from '../../workflows/domain/notifications';
import type { FaultStack } from './fault-stack';
import type { ApiClient } from './http';

const CLOCK_FIELDS = ['state', 'dueAt', 'targetMs', 'startedAt', 'warnedAt', 'breachedAt', 'completedAt', 'escalationLevel', 'escalationAcknowledged'] as const;

/** JSON with object keys in order: the read model's jsonb columns keep keys in their own order. */
const json = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
const timelineOf = (events: { seq: number; type: string }[]) => events.map((e) => `${e.seq}:${e.type}`);

/**
 * Every event of a brief as its workflow issued them, in order of seq: the events each
 * recordEvents activity was scheduled with, read from the workflow's history (every run of it,
 * through continue-as-new), together with the events its `brief` query still holds (those not yet
 * handed to recordEvents). Independent of how much of the timeline the workflow's state keeps.
 */
export async function workflowTimeline(stack: FaultStack, briefId: string): Promise<TimelineEvent[]> {
  const events = new Map<number, TimelineEvent>();
  const add = (event: TimelineEvent, source: string) => {
    const known = events.get(event.seq);
    if (known && (known.type !== event.type || known.at !== event.at)) {
      throw new Error(`${briefId}: seq ${event.seq} is ${known.type} at ${known.at} and ${event.type} at ${event.at} (${source})`);
    }
    events.set(event.seq, event);
  };
  const workflowId = briefWorkflowId(briefId);
  let runId: string | undefined;
  do {
    const history = await stack.temporalClient.workflow.getHandle(workflowId, runId).fetchHistory();
    runId = undefined;
    for (const entry of history.events ?? []) {
      const started = entry.workflowExecutionStartedEventAttributes;
      if (started?.continuedExecutionRunId) runId = started.continuedExecutionRunId;
      const scheduled = entry.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name !== 'recordEvents') continue;
      const [input] = (scheduled.input?.payloads ?? []).map((payload) => defaultPayloadConverter.fromPayload<RecordEventsInput>(payload));
      for (const event of input?.events ?? []) add(event, 'history');
    }
  } while (runId);
  const query = await stack.queryBrief(briefId).catch(() => undefined);
  for (const event of query?.timeline ?? []) add(event, 'query');
  return [...events.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Differences between a brief's workflow (the `brief` query) and its read model: the API's answer
 * and the rows of briefs, brief_events, deliveries and escalations. Empty when they agree field by
 * field (the live clock counters elapsedMs and remainingMs aside, which differ by the instant read).
 */
export async function readModelDifferences(stack: FaultStack, reader: ApiClient, briefId: string): Promise<string[]> {
  const { prisma } = stack.db;
  const differences: string[] = [];
  const differ = (what: string, workflow: unknown, readModel: unknown) => {
    if (json(workflow) !== json(readModel)) differences.push(`${briefId} ${what}: workflow ${json(workflow)}, read model ${json(readModel)}`);
  };
  const workflow = await stack.queryBrief(briefId);
  const timeline = await workflowTimeline(stack, briefId);
  const answer = await reader.get<BriefView>(`/v1/briefs/${briefId}`);
  if (answer.status !== 200) return [`${briefId}: GET answered ${answer.status} ${json(answer.body)}`];
  const api = answer.body;
  const row = await prisma.brief.findUnique({ where: { id: briefId } });
  if (!row) return [`${briefId}: no briefs row`];
  const events = await prisma.briefEvent.findMany({ where: { briefId }, orderBy: { seq: 'asc' } });
  const deliveries = await prisma.delivery.findMany({ where: { briefId }, orderBy: { version: 'asc' } });
  const escalations = await prisma.escalation.findMany({ where: { briefId }, orderBy: { id: 'asc' } });

  if (timeline.length === 0) differences.push(`${briefId}: the workflow has no events to compare`);
  differ('seqs issued by the workflow', timeline.map((_, i) => i + 1), timeline.map((e) => e.seq));
  differ('status (API)', workflow.status, api.status);
  differ('status (row)', workflow.status, row.status);
  differ('revision (API)', workflow.revision, api.revision);
  differ('revision (row)', workflow.revision, row.revision);
  differ('deliveries (API)', workflow.deliveries, api.deliveries);
  differ(
    'deliveries (rows)',
    workflow.deliveries.map((d) => ({ version: d.version, summary: d.summary, links: d.links, submittedBy: d.submittedBy, submittedAt: d.submittedAt })),
    deliveries.map((d) => ({ version: d.version, summary: d.summary, links: d.links, submittedBy: d.submittedBy, submittedAt: d.submittedAt.toISOString() })),
  );
  for (const clock of CLOCKS) {
    for (const field of CLOCK_FIELDS) differ(`sla.${clock}.${field} (API)`, workflow.sla[clock][field], api.sla[clock][field]);
  }
  differ('timeline (API)', timelineOf(timeline), timelineOf(api.timeline));
  differ('timeline (brief_events)', timelineOf(timeline), timelineOf(events));
  const seqs = events.map((e) => e.seq);
  differ('brief_events seqs contiguous from 1', seqs.map((_, i) => i + 1), seqs);
  differ('lastSeq (row)', timeline.at(-1)?.seq, row.lastSeq);
  differ(
    'escalations (rows)',
    timeline.filter((e) => e.type === 'escalation_raised').map((e) => String(e.data.escalationId)).sort(),
    escalations.map((e) => e.id).sort(),
  );
  return differences;
}

/**
 * The outbox rows (`briefId:seq:recipientId:channel`) the briefs' events call for: each event's
 * audience in the stack's directory (the agency's one member, the manager, who reviews too),
 * without whoever acted, on both of their channels (email and webhook).
 */
export function expectedOutboxRows(stack: FaultStack, timelines: Map<string, TimelineEvent[]>): Set<string> {
  const { people } = stack;
  const recipientsOf = (audience: Audience): string[] => {
    if (audience === 'party_members' || audience === 'party_leads') return [people.agent.id];
    if (audience === 'manager' || audience === 'reviewer') return [people.manager.id];
    if (audience === 'watchers') return [];
    return [audience.slice('member:'.length)];
  };
  const expected = new Set<string>();
  for (const [briefId, timeline] of timelines) {
    for (const event of timeline) {
      if (!notificationEventOf(event.type)) continue;
      const recipients = new Set(audienceFor(event).flatMap(recipientsOf).filter((id) => id !== event.actor));
      for (const recipient of recipients) for (const channel of ['email', 'webhook']) expected.add(`${briefId}:${event.seq}:${recipient}:${channel}`);
    }
  }
  return expected;
}

/** Receipts at these indexes and later must not repeat one before them: only a send cut off by a fault may arrive twice. */
export interface RepeatWindow {
  /** Index into webhooks.received at the end of the fault. */
  webhook: number;
  /** Index into smtp.messages at the end of the fault. */
  email: number;
}

export interface NotificationTally {
  /** Outbox rows the events call for, and rows there are. */
  expectedRows: number;
  rows: number;
  sent: number;
  /** Reminders recorded as dropped because their deadline passed first. */
  droppedReminders: number;
  webhookReceipts: number;
  webhookKeys: number;
  webhookRepeats: number;
  emailReceipts: number;
  emailIds: number;
  emailRepeats: number;
}

/** Whether a dropped reminder's reason holds: its deadline had passed when it was to be sent, or its clock had breached. */
function overtaken(reason: string | null): boolean {
  const deadline = /^overtaken by its deadline: due (\S+), to be sent (\S+)$/.exec(reason ?? '');
  if (deadline) return Date.parse(deadline[2]) >= Date.parse(deadline[1]);
  return /^overtaken by the breach of the \w+ clock at \S+$/.test(reason ?? '');
}

const messageIdOf = (raw: string) => /^message-id:\s*(<[^>\r\n]+>)/im.exec(raw)?.[1];

/**
 * Checks that every notification the briefs' events call for went out once, in effect: an outbox
 * row for each (event, recipient, channel), none missing and none extra, each sent (a reminder may
 * be dropped as overtaken by its deadline, never sent late), and each sent row received by the
 * SMTP server or the webhook receiver under its own Message-ID or Idempotency-Key, at least once,
 * and more than once only when the first receipt came before the end of a fault (a send cut off
 * mid-way is repeated under the same key). Nothing is received that no row stands for.
 */
export async function notificationProblems(
  stack: FaultStack,
  timelines: Map<string, TimelineEvent[]>,
  repeats: RepeatWindow = { webhook: 0, email: 0 },
): Promise<{ problems: string[]; tally: NotificationTally }> {
  const { people } = stack;
  const problems: string[] = [];
  const expected = expectedOutboxRows(stack, timelines);
  const rows = await stack.db.prisma.notification.findMany({ where: { briefId: { in: [...timelines.keys()] } } });
  const actual = new Set(rows.map((r) => `${r.briefId}:${r.eventSeq}:${r.recipientId}:${r.channel}`));
  for (const key of expected) if (!actual.has(key)) problems.push(`no outbox row for ${key}`);
  for (const key of actual) if (!expected.has(key)) problems.push(`an outbox row no event calls for: ${key}`);
  let droppedReminders = 0;
  for (const row of rows) {
    if (row.status === 'dropped' && row.event === 'reminder' && overtaken(row.lastError)) droppedReminders += 1;
    else if (row.status !== 'sent') problems.push(`${row.id} is ${row.status} (${row.lastError ?? 'no error'})`);
  }
  const sent = rows.filter((r) => r.status === 'sent');

  // Webhooks, by Idempotency-Key: each sent row received, repeats only from before the end of a fault.
  const webhookRows = new Map(rows.filter((r) => r.channel === 'webhook').map((r) => [r.idempotencyKey, r]));
  const receipts = new Map<string, { count: number; first: number; ids: Set<string> }>();
  let webhookReceipts = 0;
  stack.webhooks.received.forEach((request, index) => {
    if (request.status < 200 || request.status >= 300) return;
    webhookReceipts += 1;
    const key = String(request.headers['idempotency-key']);
    const seen = receipts.get(key) ?? { count: 0, first: index, ids: new Set<string>() };
    seen.count += 1;
    seen.ids.add(String(request.body?.id));
    receipts.set(key, seen);
  });
  let webhookRepeats = 0;
  for (const [key, seen] of receipts) {
    const row = webhookRows.get(key);
    if (!row || row.status !== 'sent') problems.push(`webhook ${key} received but its row is ${row?.status ?? 'missing'}`);
    else if ([...seen.ids].some((id) => id !== row.id)) problems.push(`webhook ${key} carried ids ${[...seen.ids].join(', ')}, not ${row.id}`);
    if (seen.count > 1) {
      webhookRepeats += seen.count - 1;
      if (seen.first >= repeats.webhook) problems.push(`webhook ${key} received ${seen.count} times, first after the fault (receipt ${seen.first})`);
    }
  }
  for (const row of sent) if (row.channel === 'webhook' && !receipts.has(row.idempotencyKey)) problems.push(`webhook row ${row.id} is sent but was never received`);

  // Emails, by Message-ID, likewise.
  const emailRows = new Map(rows.filter((r) => r.channel === 'email').map((r) => [messageIdFor(r.id, stack.messageIdHost), r]));
  const mails = new Map<string, { count: number; first: number; to: Set<string> }>();
  stack.smtp.messages.forEach((message, index) => {
    const id = messageIdOf(message.raw) ?? `(no Message-ID, message ${index})`;
    const seen = mails.get(id) ?? { count: 0, first: index, to: new Set<string>() };
    seen.count += 1;
    message.to.forEach((to) => seen.to.add(to));
    mails.set(id, seen);
  });
  let emailRepeats = 0;
  for (const [id, seen] of mails) {
    const row = emailRows.get(id);
    if (!row || row.status !== 'sent') problems.push(`email ${id} received but its row is ${row ? row.status : 'missing'}`);
    else if ([...seen.to].join() !== people.emails[row.recipientId]) problems.push(`email ${id} of ${row.id} went to ${[...seen.to].join()}`);
    if (seen.count > 1) {
      emailRepeats += seen.count - 1;
      if (seen.first >= repeats.email) problems.push(`email ${id} received ${seen.count} times, first after the fault (message ${seen.first})`);
    }
  }
  for (const row of sent) if (row.channel === 'email' && !mails.has(messageIdFor(row.id, stack.messageIdHost))) problems.push(`email row ${row.id} is sent but was never received`);

  return {
    problems,
    tally: {
      expectedRows: expected.size,
      rows: rows.length,
      sent: sent.length,
      droppedReminders,
      webhookReceipts,
      webhookKeys: receipts.size,
      webhookRepeats,
      emailReceipts: stack.smtp.messages.length,
      emailIds: mails.size,
      emailRepeats,
    },
  };
}

/** The workflows' timelines of the briefs (see workflowTimeline). */
export async function workflowTimelines(stack: FaultStack, briefIds: string[]): Promise<Map<string, TimelineEvent[]>> {
  const timelines = new Map<string, TimelineEvent[]>();
  for (const id of briefIds) timelines.set(id, await workflowTimeline(stack, id));
  return timelines;
}

/** How many outbox rows the briefs have, and how many of them are not settled yet (pending or held). */
export async function settledRowCount(stack: FaultStack, briefIds: string[]): Promise<{ rows: number; open: number }> {
  const rows = await stack.db.prisma.notification.groupBy({ by: ['status'], where: { briefId: { in: briefIds } }, _count: { _all: true } });
  const count = (statuses: string[]) => rows.filter((r) => statuses.includes(r.status)).reduce((sum, r) => sum + r._count._all, 0);
  return { rows: count(['pending', 'held', 'sending', 'sent', 'unconfirmed', 'failed', 'dropped']), open: count(['pending', 'held', 'sending']) };
}

/** One line of figures for the run's log (jest prints console output with its source; this goes straight to stderr). */
export function report(scenario: string, figures: object): void {
  process.stderr.write(`[faults] ${scenario}: ${JSON.stringify(figures)}\n`);
}
