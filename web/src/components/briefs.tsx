// What the board, the inbox and the brief page share: a brief's next deadline, its marks
// (overdue, due soon, on hold) and the names of parties and members.
import { useEffect, useState } from 'preact/hooks';
import { api, ok, type BriefSummary, type Schemas } from '../api/client';
import { formatDueIn, formatInstant, useCommon, useText } from '../i18n';

type Clock = BriefSummary['sla']['acknowledge'];
type ClockName = keyof BriefSummary['sla'];
export const CLOCK_NAMES: ClockName[] = ['acknowledge', 'deliver', 'review'];
export const OPEN_STATUSES = ['awaiting_ack', 'in_progress', 'clarification_requested', 'in_review', 'changes_requested'] as const;
export const CLOSED_STATUSES = ['approved', 'declined', 'cancelled'] as const;
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;

/** A clock counts as due soon once warned, or with less than a quarter of its target left. */
const DUE_SOON_SHARE = 0.25;

/** The running or paused clock that is due first, if any. */
export function nextClock(brief: Pick<BriefSummary, 'sla'>): { name: ClockName; clock: Clock } | undefined {
  return CLOCK_NAMES.map((name) => ({ name, clock: brief.sla[name] }))
    .filter(({ clock }) => (clock.state === 'running' || clock.state === 'paused' || clock.state === 'breached') && clock.dueAt)
    .sort((a, b) => Date.parse(a.clock.dueAt as string) - Date.parse(b.clock.dueAt as string))[0];
}

export const nextDueMs = (brief: Pick<BriefSummary, 'sla'>) => {
  const next = nextClock(brief);
  return next?.clock.dueAt ? Date.parse(next.clock.dueAt) : Number.POSITIVE_INFINITY;
};

export function isOverdue(brief: BriefSummary): boolean {
  return brief.overdue;
}

export function isDueSoon(brief: Pick<BriefSummary, 'sla'>): boolean {
  const next = nextClock(brief);
  if (!next || next.clock.state === 'breached') return false;
  return !!next.clock.warnedAt || next.clock.remainingMs < next.clock.targetMs * DUE_SOON_SHARE;
}

/** Whether the brief's calendar has working hours (its countdowns say "working hours"). */
export const workingCalendar = (brief: Pick<BriefSummary, 'slaPolicy'>) => !!brief.slaPolicy?.calendarId;

export function Marks({ brief }: { brief: BriefSummary }) {
  const common = useCommon();
  return (
    <>
      {brief.overdue && <span class="badge overdue">{common.overdue}</span>}{' '}
      {!brief.overdue && isDueSoon(brief) && <span class="badge soon">{common.dueSoon}</span>}{' '}
      {brief.hold && <span class="badge hold">{common.onHold}</span>}
    </>
  );
}

const DUE_TEXT = {
  en: { paused: 'paused', next: (clock: string) => `${clock}` },
  de: { paused: 'angehalten', next: (clock: string) => `${clock}` },
};

/** "Deliver: due in 3 working hours (Tue 1 Dec, 17:00)". */
export function NextDue({ brief }: { brief: BriefSummary }) {
  const common = useCommon();
  const text = useText(DUE_TEXT);
  const next = nextClock(brief);
  if (!next) return null;
  const { clock } = next;
  return (
    <span class="muted">
      {common.clock[next.name]}: {formatDueIn(clock.state === 'breached' ? Math.min(clock.remainingMs, -1) : clock.remainingMs, workingCalendar(brief))}
      {clock.state === 'paused' ? ` (${text.paused})` : ''} · <time dateTime={clock.dueAt ?? undefined}>{formatInstant(clock.dueAt)}</time>
    </span>
  );
}

export type Party = Schemas['Party'];
export type Member = Schemas['Member'];

/** The parties the caller may see, by id. */
export function useParties(): Map<string, Party> {
  const [parties, setParties] = useState(new Map<string, Party>());
  useEffect(() => {
    ok(api.GET('/v1/parties', { params: { query: { limit: 200 } } }))
      .then((page) => setParties(new Map(page.items.map((p) => [p.id, p]))))
      .catch(() => undefined);
  }, []);
  return parties;
}

/** Names of the members of the given parties that the caller may list. */
export function useMemberNames(partyIds: (string | undefined)[]): Map<string, Member> {
  const [members, setMembers] = useState(new Map<string, Member>());
  const key = [...new Set(partyIds.filter(Boolean))].sort().join(',');
  useEffect(() => {
    let live = true;
    Promise.all(
      key
        .split(',')
        .filter(Boolean)
        .map((id) => ok(api.GET('/v1/parties/{id}/members', { params: { path: { id }, query: { limit: 200 } } })).then((page) => page.items, () => [] as Member[])),
    ).then((lists) => {
      if (live) setMembers(new Map(lists.flat().map((m) => [m.id, m])));
    }, () => undefined);
    return () => {
      live = false;
    };
  }, [key]);
  return members;
}

/** The first `limit` open briefs matching the query, refreshed every `everyMs` while the page is open. */
export function usePolledList<T>(load: () => Promise<T>, deps: unknown[], everyMs = 5_000): { data: T | undefined; error: string | null; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const run = () =>
      load().then(
        (next) => {
          if (!live) return;
          setData(next);
          setError(null);
        },
        (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
      );
    void run();
    const timer = setInterval(() => void run(), everyMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}
