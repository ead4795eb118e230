// The manager's board: their briefs by status, overdue and due-soon marked, with filters (party,
// priority, status, overdue, only mine) and a title search; it refreshes itself.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, ok, type BriefSummary } from '../api/client';
import { Marks, NextDue, OPEN_STATUSES, CLOSED_STATUSES, PRIORITIES, useParties, usePolledList } from '../components/briefs';
import { useCommon, useText } from '../i18n';
import { APP_PATHS, briefPath } from '../paths';
import { session } from '../session';
import { ErrorNote } from '../components/error-note';

const TEXT = {
  en: {
    title: 'Board',
    filters: 'Filters',
    party: 'Party',
    priority: 'Priority',
    status: 'Status',
    any: 'Any',
    overdueOnly: 'Only overdue',
    mine: 'Only briefs I manage or review',
    search: 'Search titles',
    newBrief: 'New brief',
    empty: 'No briefs here.',
    closed: 'Closed',
    count: (n: number) => `${n} brief${n === 1 ? '' : 's'}`,
    more: 'Only the newest 200 briefs are shown: narrow the filters.',
    toReview: 'To review',
    toReviewHint: 'Deliveries whose open review stage waits for your decision (or for a colleague’s you stand in for).',
  },
  de: {
    title: 'Übersicht',
    filters: 'Filter',
    party: 'Partner',
    priority: 'Priorität',
    status: 'Status',
    any: 'Alle',
    overdueOnly: 'Nur überfällige',
    mine: 'Nur Briefings, die ich betreue oder prüfe',
    search: 'Titel durchsuchen',
    newBrief: 'Neues Briefing',
    empty: 'Keine Briefings.',
    closed: 'Abgeschlossen',
    count: (n: number) => `${n} Briefing${n === 1 ? '' : 's'}`,
    more: 'Es werden nur die neuesten 200 Briefings gezeigt: Filter eingrenzen.',
    toReview: 'Zu prüfen',
    toReviewHint: 'Lieferungen, deren offene Prüfstufe auf Ihre Entscheidung wartet (oder die eines Kollegen, den Sie vertreten).',
  },
};

type Filters = { partyId: string; priority: string; status: string; overdue: boolean; mine: boolean; q: string };

export function Board() {
  const text = useText(TEXT);
  const common = useCommon();
  const { query, route } = useLocation();
  const parties = useParties();
  const [filters, setFilters] = useState<Filters>({
    partyId: query.partyId ?? '',
    priority: query.priority ?? '',
    status: query.status ?? '',
    overdue: query.overdue === 'true',
    mine: query.mine ? query.mine === 'true' : session.value?.member.role === 'manager',
    q: query.q ?? '',
  });
  const [search, setSearch] = useState(filters.q);
  const { data, error } = usePolledList(
    () =>
      ok(
        api.GET('/v1/briefs', {
          params: {
            query: {
              limit: 200,
              ...(filters.partyId ? { partyId: filters.partyId } : {}),
              ...(filters.priority ? { priority: filters.priority as (typeof PRIORITIES)[number] } : {}),
              ...(filters.status ? { status: filters.status as BriefSummary['status'] } : {}),
              ...(filters.overdue ? { overdue: 'true' as const } : {}),
              ...(filters.mine ? { mine: 'true' as const } : {}),
              ...(filters.q ? { q: filters.q } : {}),
            },
          },
        }),
      ),
    [filters.partyId, filters.priority, filters.status, filters.overdue, filters.mine, filters.q],
  );
  const update = (next: Partial<Filters>) => {
    const merged = { ...filters, ...next };
    setFilters(merged);
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(merged)) if (value !== '' && value !== false) params.set(key, String(value));
    route(`${APP_PATHS.board}${params.size ? `?${params}` : ''}`, true);
  };
  const briefs = data?.items ?? [];
  const toReview = usePolledList(() => ok(api.GET('/v1/briefs', { params: { query: { limit: 200, toReview: 'true' } } })), []);
  const statuses = [...OPEN_STATUSES, 'closed'] as const;
  return (
    <section>
      <div class="row" style={{ alignItems: 'center' }}>
        <h1>{text.title}</h1>
        <p style={{ flex: '0 0 auto', margin: 0 }}>
          <a href={APP_PATHS.newBrief}>{text.newBrief}</a>
        </p>
      </div>
      <form class="card row" role="search" aria-label={text.filters} onSubmit={(e) => (e.preventDefault(), update({ q: search.trim() }))}>
        <div>
          <label for="f-party">{text.party}</label>
          <select id="f-party" value={filters.partyId} onChange={(e) => update({ partyId: e.currentTarget.value })}>
            <option value="">{text.any}</option>
            {[...parties.values()]
              .filter((p) => p.kind !== 'ecommerce')
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
          </select>
        </div>
        <div>
          <label for="f-priority">{text.priority}</label>
          <select id="f-priority" value={filters.priority} onChange={(e) => update({ priority: e.currentTarget.value })}>
            <option value="">{text.any}</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-status">{text.status}</label>
          <select id="f-status" value={filters.status} onChange={(e) => update({ status: e.currentTarget.value })}>
            <option value="">{text.any}</option>
            {[...OPEN_STATUSES, ...CLOSED_STATUSES].map((s) => (
              <option key={s} value={s}>
                {common.status[s]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-search">{text.search}</label>
          <input id="f-search" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} onBlur={() => search.trim() !== filters.q && update({ q: search.trim() })} />
        </div>
        <div>
          <label>
            <input type="checkbox" style={{ width: 'auto' }} checked={filters.overdue} onChange={(e) => update({ overdue: e.currentTarget.checked })} /> {text.overdueOnly}
          </label>
          <label>
            <input type="checkbox" style={{ width: 'auto' }} checked={filters.mine} onChange={(e) => update({ mine: e.currentTarget.checked })} /> {text.mine}
          </label>
        </div>
      </form>
      {(toReview.data?.items.length ?? 0) > 0 && (
        <section class="card" aria-labelledby="h-to-review">
          <h2 id="h-to-review">
            {text.toReview} <span class="muted">({toReview.data?.items.length})</span>
          </h2>
          <p class="muted">{text.toReviewHint}</p>
          <ul class="list">
            {toReview.data?.items.map((brief) => (
              <li key={brief.id}>
                <a href={briefPath(brief.id)}>
                  <strong>{brief.title}</strong>
                </a>{' '}
                · {parties.get(brief.partyId)?.name ?? ''}
                {brief.review?.currentStage != null && <> · {brief.review.stages[brief.review.currentStage].name}</>} <Marks brief={brief} />
                <br />
                <NextDue brief={brief} />
              </li>
            ))}
          </ul>
        </section>
      )}
      <ErrorNote message={error} />
      {data && (
        <p class="muted" role="status">
          {text.count(briefs.length)}
          {data.nextCursor ? ` · ${text.more}` : ''}
        </p>
      )}
      {!data && !error && <p class="loading">{common.loading}</p>}
      {data && (
        <div class="columns">
          {statuses.map((status) => {
            const inColumn = briefs.filter((b) => (status === 'closed' ? (CLOSED_STATUSES as readonly string[]).includes(b.status) : b.status === status));
            if (filters.status && !inColumn.length) return null;
            return (
              <section class="column" key={status} aria-labelledby={`col-${status}`}>
                <h2 id={`col-${status}`}>
                  {status === 'closed' ? text.closed : common.status[status]} <span class="muted">({inColumn.length})</span>
                </h2>
                {inColumn.length === 0 && <p class="muted">{text.empty}</p>}
                {inColumn.map((brief) => (
                  <a class="tile" key={brief.id} href={briefPath(brief.id)}>
                    <span class="title">{brief.title}</span>
                    <br />
                    <span>
                      {parties.get(brief.partyId)?.name ?? ''} · {brief.priority} {status === 'closed' ? `· ${common.status[brief.status]}` : ''}
                    </span>{' '}
                    <Marks brief={brief} />
                    <br />
                    <NextDue brief={brief} />
                  </a>
                ))}
              </section>
            );
          })}
        </div>
      )}
    </section>
  );
}
