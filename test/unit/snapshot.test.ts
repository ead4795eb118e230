// Decoding what the read model stores of a brief: snapshots written by this release and by older
// ones (taken from the recorded workflow histories, whose recordEvents inputs hold the states the
// workers of their time stored), every event those histories recorded, and what must fail.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeRecordedEvent, decodeSnapshot, SNAPSHOT_VERSION, SnapshotDecodeError, storedSnapshot, timelineEventSchema } from '../../services/snapshot';
import type { BriefState } from '../../workflows/domain/brief';
import { applyAction } from '../../workflows/domain/transitions';
import { applyPolicy } from '../../workflows/domain/edit';
import { fireDueClocks } from '../../workflows/domain/sla';
import { actors, HOUR, newState, T0, TARGETS } from './fixtures';
import { policy, runUntil, stateAt } from './policy-fixtures';

const HISTORIES = path.join(__dirname, '..', 'replay', 'histories');

interface Payload {
  metadata?: unknown;
  data?: string;
}

/** Every payload of a recorded history, decoded. */
function payloadsOf(file: string): unknown[] {
  const found: unknown[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const payload = value as Payload;
      if (payload.metadata && typeof payload.data === 'string') {
        try {
          found.push(JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')));
        } catch {
          // Not JSON: a binary payload.
        }
        return;
      }
      Object.values(value).forEach(walk);
    }
  };
  walk(JSON.parse(readFileSync(file, 'utf8')));
  return found;
}

const historyFiles = (set: string) => readdirSync(path.join(HISTORIES, set)).map((f) => path.join(HISTORIES, set, f));
const allHistoryFiles = () => readdirSync(HISTORIES).flatMap(historyFiles);

/** The states a set's workers stored: the `state` of each recordEvents input. */
function recordedStates(set: string): { state: Record<string, unknown> }[] {
  return historyFiles(set)
    .flatMap(payloadsOf)
    .filter((p): p is { workflowId: string; events: unknown[]; state: Record<string, unknown> } => !!p && typeof p === 'object' && 'workflowId' in p && 'events' in p && 'state' in p);
}

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('decodeSnapshot', () => {
  test('a snapshot this release writes carries its version and decodes to the state it was written from', () => {
    const state = newState();
    applyAction(state, 'acknowledge', { note: 'on it' }, actors.agency, T0 + HOUR);
    applyAction(state, 'deliver', { summary: 'v1', links: ['https://files.example/v1.zip'] }, actors.agency, T0 + 2 * HOUR);
    fireDueClocks(state, T0 + 2 * HOUR + TARGETS.review, () => 'esc-1');
    const stored = roundTrip(storedSnapshot(state));
    expect(stored).toMatchObject({ snapshotVersion: SNAPSHOT_VERSION });
    expect(decodeSnapshot(state.brief.id, stored)).toEqual(roundTrip(state));
  });

  test('a brief under an SLA policy, on hold, with escalations and a policy applied, decodes whole', () => {
    const state = stateAt(Date.parse('2025-01-06T09:00:00.000Z'), policy());
    runUntil(state, Date.parse('2025-01-08T09:00:00.000Z'));
    applyAction(state, 'hold', { reason: 'budget' }, actors.manager, Date.parse('2025-01-08T10:00:00.000Z'));
    applyPolicy(state, policy({ policyVersion: 2 }), actors.admin, Date.parse('2025-01-08T11:00:00.000Z'));
    const decoded = decodeSnapshot(state.brief.id, roundTrip(storedSnapshot(state)));
    expect(decoded).toEqual(roundTrip(state));
    expect(decoded.hold).toMatchObject({ reason: 'budget' });
    expect(decoded.brief.sla?.policyVersion).toBe(2);
  });

  test('a version-1 snapshot of a brief from the first release (no version, no policy, the whole timeline) decodes', () => {
    const states = recordedStates('v1-initial');
    expect(states.length).toBeGreaterThan(0);
    for (const { state } of states) {
      expect(state).not.toHaveProperty('snapshotVersion');
      const decoded: BriefState = decodeSnapshot(String((state.brief as { id: unknown }).id), roundTrip(state));
      expect(decoded).toEqual(state);
      expect(decoded.brief.sla).toBeUndefined();
      expect(decoded.clocks.acknowledge.steps).toBeUndefined();
    }
    // The first release kept the whole timeline in the state: its events decode too.
    expect(states.some(({ state }) => (state.timeline as unknown[]).length > 3)).toBe(true);
  });

  test('version-1 snapshots of every later recorded release decode', () => {
    for (const set of readdirSync(HISTORIES)) {
      for (const { state } of recordedStates(set)) {
        expect(decodeSnapshot(String((state.brief as { id: unknown }).id), roundTrip(state))).toEqual(state);
      }
    }
  });

  test('fields this release does not know pass through', () => {
    const state = roundTrip(storedSnapshot(newState())) as Record<string, unknown>;
    const decoded = decodeSnapshot('b-1', { ...state, addedLater: { x: 1 } });
    expect(decoded).toMatchObject({ addedLater: { x: 1 } });
    expect(decoded).not.toHaveProperty('snapshotVersion');
  });

  test('a malformed snapshot fails with an error naming the brief and what is wrong', () => {
    const state = roundTrip(storedSnapshot(newState())) as Record<string, unknown>;
    const { clocks: _clocks, ...withoutClocks } = state;
    const decode = (snapshot: unknown) => () => decodeSnapshot('b-broken', snapshot);
    expect(decode(withoutClocks)).toThrow(SnapshotDecodeError);
    expect(decode(withoutClocks)).toThrow(/brief b-broken.*clocks/s);
    expect(decode({ ...state, status: 'lost' })).toThrow(/brief b-broken.*status/s);
    expect(decode({ ...state, timeline: [{ seq: 1, type: 'delivered', actor: 'x', at: 'now', data: { summary: 'no version' } }] })).toThrow(/brief b-broken.*version/s);
    expect(decode(null)).toThrow(/brief b-broken.*not an object/);
    expect(decode('{"status":"in_review"}')).toThrow(SnapshotDecodeError);
  });

  test("a later release's snapshot (a rolling deploy) is read as far as this release knows it; a version that is no version fails", () => {
    const state = roundTrip(storedSnapshot(newState())) as Record<string, unknown>;
    const later = decodeSnapshot('b-future', { ...state, snapshotVersion: SNAPSHOT_VERSION + 1, addedLater: { kept: true } });
    expect(later.status).toBe(state.status);
    expect((later as unknown as Record<string, unknown>).addedLater).toEqual({ kept: true });
    expect(() => decodeSnapshot('b-future', { ...state, snapshotVersion: SNAPSHOT_VERSION + 1, status: 'lost' })).toThrow(/brief b-future.*status/s);
    expect(() => decodeSnapshot('b-future', { ...state, snapshotVersion: 'two' })).toThrow(SnapshotDecodeError);
    expect(() => decodeSnapshot('b-future', { ...state, snapshotVersion: 0 })).toThrow(/brief b-future.*not a version/);
  });
});

describe('recorded events', () => {
  test('every event in every recorded history decodes as its type', () => {
    let count = 0;
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        if ('seq' in value && 'type' in value && 'data' in value && 'at' in value) {
          const parsed = timelineEventSchema.safeParse(value);
          if (!parsed.success) throw new Error(`${JSON.stringify(value)}: ${parsed.error.message}`);
          count += 1;
        }
        Object.values(value).forEach(walk);
      }
    };
    allHistoryFiles().flatMap(payloadsOf).forEach(walk);
    expect(count).toBeGreaterThan(100);
  });

  test('a row of brief_events decodes to its timeline event; a malformed one names the brief and the event', () => {
    const at = new Date('2025-01-06T09:00:00.000Z');
    expect(decodeRecordedEvent('b-1', { seq: 2, type: 'acknowledged', actorId: 'paula', at, data: { note: 'on it' } })).toEqual({
      seq: 2,
      type: 'acknowledged',
      actor: 'paula',
      at: at.toISOString(),
      data: { note: 'on it' },
    });
    expect(() => decodeRecordedEvent('b-1', { seq: 3, type: 'escalation_raised', actorId: null, at, data: { clock: 'review' } })).toThrow(/brief b-1.*event 3 \(escalation_raised\)/s);
    expect(() => decodeRecordedEvent('b-1', { seq: 4, type: 'renamed_later', actorId: null, at, data: {} })).toThrow(SnapshotDecodeError);
  });
});
