// The IT escalation board: the escalations the member may see, newest first, live over the
// escalation stream (Server-Sent Events). The list and the stream overlap (the stream replays the
// last minutes), so an escalation raised while the page loads is never missed; after a drop the
// browser reconnects with the last event id and the stream replays what happened meanwhile.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, ApiProblem, ok, type Schemas } from '../api/client';
import { useMemberNames, useParties } from '../components/briefs';
import { ProgramFilter } from '../components/programs';
import { formatInstant, locale, timeZone, useCommon, useText } from '../i18n';
import { APP_PATHS, briefPath, programPath } from '../paths';
import { loadSession, session } from '../session';
import { ErrorNote } from '../components/error-note';

type Escalation = Schemas['Escalation'];
type Connection = 'connecting' | 'live' | 'reconnecting';

/** How far back the stream replays on first connecting: covers the time the list takes to load, and clock skew. */
const REPLAY_MS = 5 * 60_000;
/** Wait before opening a new stream when the server refused one (EventSource gives up on a non-200 answer). */
const REOPEN_MS = 3_000;
const CLOCKS = ['acknowledge', 'deliver', 'review'] as const;

const TEXT = {
  en: {
    title: 'IT escalations',
    notForMembers: 'Escalations are shown to managers, watchers and admins. Your party’s briefs and their deadlines are in your inbox.',
    live: 'Live',
    connecting: 'Connecting…',
    figures: 'Current figures',
    openAtLevel: (level: number) => `Open at level ${level}`,
    noneOpen: 'Open escalations',
    breachesToday: 'Clocks breached today',
    filters: 'Filters',
    party: 'Party',
    clock: 'Clock',
    level: 'Level',
    state: 'State',
    all: 'All',
    open: 'Open',
    acknowledged: 'Acknowledged',
    brief: 'Brief',
    raisedAt: 'Raised',
    acknowledgedBy: 'Acknowledged by',
    actions: 'Actions',
    acknowledge: 'Acknowledge',
    acknowledging: 'Acknowledging…',
    empty: 'No escalations match.',
    nothingYet: 'No escalations. New ones appear here as they are raised.',
    reescalation: 'raised again',
    repeat: (n: number) => `repeat ${n}`,
    newBadge: 'new',
    unknownBrief: 'Brief',
    unknownMember: 'a member',
    announce: (title: string, level: number) => `New escalation: ${title} level ${level}`,
    shown: (shown: number, all: number) => `${shown} of ${all} shown`,
    program: 'Program',
  },
  de: {
    title: 'IT-Eskalationen',
    notForMembers: 'Eskalationen sehen Manager, Beobachter und Admins. Die Briefings Ihres Partners und ihre Fristen stehen in Ihrem Eingang.',
    live: 'Live',
    connecting: 'Verbindung wird aufgebaut…',
    figures: 'Aktuelle Zahlen',
    openAtLevel: (level: number) => `Offen auf Stufe ${level}`,
    noneOpen: 'Offene Eskalationen',
    breachesToday: 'Heute verletzte Fristen',
    filters: 'Filter',
    party: 'Partner',
    clock: 'Frist',
    level: 'Stufe',
    state: 'Stand',
    all: 'Alle',
    open: 'Offen',
    acknowledged: 'Bestätigt',
    brief: 'Briefing',
    raisedAt: 'Ausgelöst',
    acknowledgedBy: 'Bestätigt von',
    actions: 'Aktionen',
    acknowledge: 'Bestätigen',
    acknowledging: 'Wird bestätigt…',
    empty: 'Keine Eskalation passt zu den Filtern.',
    nothingYet: 'Keine Eskalationen. Neue erscheinen hier, sobald sie ausgelöst werden.',
    reescalation: 'erneut ausgelöst',
    repeat: (n: number) => `Wiederholung ${n}`,
    newBadge: 'neu',
    unknownBrief: 'Briefing',
    unknownMember: 'einem Mitglied',
    announce: (title: string, level: number) => `Neue Eskalation: ${title} Stufe ${level}`,
    shown: (shown: number, all: number) => `${shown} von ${all} angezeigt`,
    program: 'Programm',
  },
};

/** What a row shows of its brief: the title and the program it belongs to. */
interface BriefLabel {
  title: string;
  program: { id: string; name: string } | null;
}

/** Titles of briefs (and their programs), fetched once per brief for the whole visit. */
const titles = new Map<string, Promise<BriefLabel | null>>();
function briefLabel(id: string): Promise<BriefLabel | null> {
  let title = titles.get(id);
  if (!title) {
    title = ok(api.GET('/v1/briefs/{id}', { params: { path: { id } } })).then(
      (brief) => ({ title: brief.title, program: brief.program ? { id: brief.program.id, name: brief.program.name } : null }),
      () => null,
    );
    titles.set(id, title);
  }
  return title;
}

function useBriefTitles(ids: string[]): Map<string, BriefLabel | null> {
  const [known, setKnown] = useState(new Map<string, BriefLabel | null>());
  const key = [...new Set(ids)].sort().join(',');
  useEffect(() => {
    let live = true;
    for (const id of key.split(',').filter(Boolean)) {
      if (known.has(id)) continue;
      void briefLabel(id).then((title) => {
        if (live) setKnown((before) => new Map(before).set(id, title));
      });
    }
    return () => {
      live = false;
    };
  }, [key]);
  return known;
}

/** An escalation never goes back from acknowledged to open: an older answer does not undo a newer one. */
function merge(map: Map<string, Escalation>, incoming: Escalation[]): Map<string, Escalation> {
  const next = new Map(map);
  for (const escalation of incoming) {
    const before = next.get(escalation.id);
    if (before?.state === 'acknowledged' && escalation.state === 'open') continue;
    next.set(escalation.id, escalation);
  }
  return next;
}

const localDay = (iso: string | Date) => new Intl.DateTimeFormat('en-CA', { timeZone: timeZone.value, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));

export function Escalations() {
  const text = useText(TEXT);
  const common = useCommon();
  const { query, route } = useLocation();
  // From a program's page: its escalations only, in the list and the live stream.
  const programId = query.programId ?? '';
  const current = session.value;
  const mayList = !!current && current.member.role !== 'member';
  const [items, setItems] = useState(new Map<string, Escalation>());
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const [listed, setListed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [fresh, setFresh] = useState(new Set<string>());
  const [announcement, setAnnouncement] = useState('');
  const [filters, setFilters] = useState({ party: '', clock: '', level: '', state: '' });
  const [busy, setBusy] = useState<string | null>(null);
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const parties = useParties();
  const titleOf = useBriefTitles([...items.values()].map((e) => e.briefId));
  const members = useMemberNames([...parties.keys()]);

  useEffect(() => {
    if (!mayList) return;
    // Another program (or none): the list starts over for it.
    itemsRef.current = new Map();
    setItems(itemsRef.current);
    setListed(false);
    let stopped = false;
    let listLoaded = false;
    let source: EventSource | undefined;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    let lastEventId: string | undefined;
    const since = new Date(Date.now() - REPLAY_MS).toISOString();

    const apply = (incoming: Escalation[]) => {
      itemsRef.current = merge(itemsRef.current, incoming);
      setItems(itemsRef.current);
    };
    const onEvent = (event: MessageEvent<string>) => {
      if (event.lastEventId) lastEventId = event.lastEventId;
      let escalation: Escalation;
      try {
        escalation = JSON.parse(event.data) as Escalation;
      } catch {
        return;
      }
      const arrived = listLoaded && event.type === 'escalation.raised' && !itemsRef.current.has(escalation.id);
      apply([escalation]);
      if (arrived) {
        setFresh((before) => new Set(before).add(escalation.id));
        void briefLabel(escalation.briefId).then((label) => {
          if (!stopped) setAnnouncement(TEXT[locale.value].announce(label?.title ?? '', escalation.level));
        });
      }
    };
    const connect = () => {
      // A stream opened anew (not the browser's own reconnection) resumes after the last event seen.
      const resume = lastEventId ? `lastEventId=${encodeURIComponent(lastEventId)}` : `since=${encodeURIComponent(since)}`;
      const es = new EventSource(`/v1/escalations/stream?${resume}${programId ? `&programId=${encodeURIComponent(programId)}` : ''}`);
      source = es;
      es.addEventListener('open', () => setConnection('live'));
      es.addEventListener('escalation.raised', onEvent as EventListener);
      es.addEventListener('escalation.acknowledged', onEvent as EventListener);
      es.addEventListener('error', () => {
        if (stopped) return;
        setConnection('reconnecting');
        // The browser reconnects by itself after a network drop (readyState CONNECTING, sending
        // Last-Event-ID); after an error answer (too many streams, a proxy's 502, the session
        // gone) it gives up, and the page opens a new stream.
        if (es.readyState === EventSource.CLOSED) {
          es.close();
          clearTimeout(reopen);
          reopen = setTimeout(() => {
            if (stopped) return;
            // A session that ended shows the sign-in page instead of retrying for ever.
            loadSession().then(
              () => !stopped && session.value && connect(),
              () => !stopped && connect(),
            );
          }, REOPEN_MS);
        }
      });
    };
    connect();
    // A connection that went quiet when the device lost its network may never report an error:
    // offline, the page lets it go; back online, it opens a fresh stream that resumes after the
    // last event seen.
    const offline = () => {
      source?.close();
      clearTimeout(reopen);
      setConnection('reconnecting');
    };
    const online = () => {
      source?.close();
      clearTimeout(reopen);
      connect();
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    const load = async () => {
      const scope = programId ? { programId } : {};
      const [recent, open] = await Promise.all([
        ok(api.GET('/v1/escalations', { params: { query: { limit: 200, ...scope } } })),
        ok(api.GET('/v1/escalations', { params: { query: { limit: 200, state: 'open', ...scope } } })),
      ]);
      if (stopped) return;
      apply([...open.items, ...recent.items]);
      listLoaded = true;
      setListed(true);
      setError(null);
    };
    load().catch((err: unknown) => {
      if (!stopped) setError(err instanceof ApiProblem || err instanceof Error ? err.message : String(err));
    });
    return () => {
      stopped = true;
      clearTimeout(reopen);
      source?.close();
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
    };
  }, [mayList, programId]);

  if (!current) return null;
  if (!mayList) {
    return (
      <section>
        <h1>{text.title}</h1>
        <p class="notice">{text.notForMembers}</p>
      </section>
    );
  }

  const all = [...items.values()].sort((a, b) => Date.parse(b.raisedAt) - Date.parse(a.raisedAt) || b.level - a.level);
  const open = all.filter((e) => e.state === 'open');
  const openByLevel = new Map<number, number>();
  for (const e of open) openByLevel.set(e.level, (openByLevel.get(e.level) ?? 0) + 1);
  const today = localDay(new Date());
  // A breach raises its chain's first escalation (and repeats, re-escalations on the same clock and round): counted once.
  const breachesToday = new Set(all.filter((e) => !e.reescalation && localDay(e.raisedAt) === today).map((e) => `${e.briefId}/${e.clock}/${e.round}`)).size;
  const levels = [...new Set(all.map((e) => e.level))].sort((a, b) => a - b);
  const partyIds = [...new Set(all.map((e) => e.partyId))];
  const partyName = (id: string) => (parties.get(id)?.kind === 'ecommerce' ? common.ecommerceTeam : (parties.get(id)?.name ?? id.slice(0, 8)));
  const shown = all.filter(
    (e) =>
      (!filters.party || e.partyId === filters.party) &&
      (!filters.clock || e.clock === filters.clock) &&
      (!filters.level || String(e.level) === filters.level) &&
      (!filters.state || e.state === filters.state),
  );
  const { role, scope, id: me, name: myName } = current.member;
  // A party's own watchers do not silence its escalation chain (the API answers 403).
  const mayAcknowledge = !(role === 'watcher' && scope === 'party');
  const memberName = (id: string | null) => (!id ? '–' : id === me ? myName : (members.get(id)?.name ?? text.unknownMember));

  const acknowledge = async (escalation: Escalation) => {
    setBusy(escalation.id);
    setRowErrors(({ [escalation.id]: _gone, ...rest }) => rest);
    try {
      const updated = await ok(api.POST('/v1/escalations/{id}/acknowledge', { params: { path: { id: escalation.id } } }));
      itemsRef.current = merge(itemsRef.current, [updated]);
      setItems(itemsRef.current);
    } catch (err) {
      if (err instanceof ApiProblem && err.problem.status === 409) {
        // Someone else was first: the stream brings their acknowledgement; show it now.
        const page = await ok(api.GET('/v1/escalations', { params: { query: { briefId: escalation.briefId, limit: 200 } } })).catch(() => undefined);
        if (page) {
          itemsRef.current = merge(itemsRef.current, page.items);
          setItems(itemsRef.current);
        }
      }
      setRowErrors((before) => ({ ...before, [escalation.id]: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(null);
    }
  };

  const setFilter = (name: keyof typeof filters) => (e: Event) => setFilters((before) => ({ ...before, [name]: (e.currentTarget as HTMLSelectElement).value }));

  return (
    <section class="escalations">
      <h1>{text.title}</h1>
      <p class={`connection ${connection}`} role="status">
        {connection === 'live' ? text.live : connection === 'connecting' ? text.connecting : common.offline}
      </p>
      <p class="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      <ErrorNote message={error} />
      {programId && <ProgramFilter programId={programId} onClear={() => route(APP_PATHS.escalations)} />}
      <h2 class="visually-hidden">{text.figures}</h2>
      <ul class="figures">
        {openByLevel.size === 0 && (
          <li>
            <span class="figure">0</span> {text.noneOpen}
          </li>
        )}
        {[...openByLevel.entries()]
          .sort(([a], [b]) => a - b)
          .map(([level, count]) => (
            <li key={level} class={level > 1 ? 'high' : undefined}>
              <span class="figure">{count}</span> {text.openAtLevel(level)}
            </li>
          ))}
        <li>
          <span class="figure">{breachesToday}</span> {text.breachesToday}
        </li>
      </ul>
      <h2 class="visually-hidden">{text.filters}</h2>
      <div class="row filters">
        <div>
          <label for="esc-party">{text.party}</label>
          <select id="esc-party" value={filters.party} onChange={setFilter('party')}>
            <option value="">{text.all}</option>
            {partyIds.map((id) => (
              <option key={id} value={id}>
                {partyName(id)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="esc-clock">{text.clock}</label>
          <select id="esc-clock" value={filters.clock} onChange={setFilter('clock')}>
            <option value="">{text.all}</option>
            {CLOCKS.map((clock) => (
              <option key={clock} value={clock}>
                {common.clock[clock]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="esc-level">{text.level}</label>
          <select id="esc-level" value={filters.level} onChange={setFilter('level')}>
            <option value="">{text.all}</option>
            {levels.map((level) => (
              <option key={level} value={String(level)}>
                {level}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="esc-state">{text.state}</label>
          <select id="esc-state" value={filters.state} onChange={setFilter('state')}>
            <option value="">{text.all}</option>
            <option value="open">{text.open}</option>
            <option value="acknowledged">{text.acknowledged}</option>
          </select>
        </div>
      </div>
      {!listed && !error && <p class="loading">{common.loading}</p>}
      {listed && all.length === 0 && <p class="muted">{text.nothingYet}</p>}
      {listed && all.length > 0 && shown.length === 0 && <p class="muted">{text.empty}</p>}
      {shown.length > 0 && (
        <>
          <p class="muted">{text.shown(shown.length, all.length)}</p>
          <table class="cards escalation-list">
            <thead>
              <tr>
                <th scope="col">{text.brief}</th>
                <th scope="col">{text.party}</th>
                <th scope="col">{text.clock}</th>
                <th scope="col">{text.level}</th>
                <th scope="col">{text.raisedAt}</th>
                <th scope="col">{text.state}</th>
                <th scope="col">{text.acknowledgedBy}</th>
                <th scope="col">{text.actions}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => (
                <tr key={e.id} class={`${fresh.has(e.id) ? 'new-item ' : ''}${e.state}`} data-escalation={e.id}>
                  <th scope="row">
                    <a href={briefPath(e.briefId)}>{titleOf.get(e.briefId)?.title ?? text.unknownBrief}</a>{' '}
                    {fresh.has(e.id) && <span class="badge soon">{text.newBadge}</span>}
                    {e.programId && (
                      <span class="muted program-of">
                        <br />
                        {text.program}: <a href={programPath(e.programId)}>{titleOf.get(e.briefId)?.program?.name ?? e.programId.slice(0, 8)}</a>
                      </span>
                    )}
                  </th>
                  <td data-label={text.party}>{partyName(e.partyId)}</td>
                  <td data-label={text.clock}>{common.clock[e.clock]}</td>
                  <td data-label={text.level}>
                    <span class={`badge level${e.level > 1 ? ' overdue' : ''}`}>{e.level}</span>
                    {e.repeat > 0 && <span class="muted"> · {text.repeat(e.repeat)}</span>}
                    {e.reescalation && <span class="muted"> · {text.reescalation}</span>}
                  </td>
                  <td data-label={text.raisedAt}>
                    <time dateTime={e.raisedAt}>{formatInstant(e.raisedAt)}</time>
                  </td>
                  <td data-label={text.state}>
                    <span class={`badge ${e.state === 'open' ? 'overdue' : 'ok'}`}>{e.state === 'open' ? text.open : text.acknowledged}</span>
                  </td>
                  <td data-label={text.acknowledgedBy}>
                    {e.state === 'acknowledged' ? (
                      <>
                        {memberName(e.acknowledgedBy)}
                        <br />
                        <time class="muted" dateTime={e.acknowledgedAt ?? undefined}>
                          {formatInstant(e.acknowledgedAt)}
                        </time>
                      </>
                    ) : (
                      '–'
                    )}
                  </td>
                  <td data-label={text.actions}>
                    {e.state === 'open' && mayAcknowledge && (
                      <button type="button" disabled={busy === e.id} onClick={() => void acknowledge(e)} aria-label={`${text.acknowledge}: ${titleOf.get(e.briefId)?.title ?? text.unknownBrief}, ${common.clock[e.clock]}, ${text.level} ${e.level}`}>
                        {busy === e.id ? text.acknowledging : text.acknowledge}
                      </button>
                    )}
                    <ErrorNote message={rowErrors[e.id]} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
