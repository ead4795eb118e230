// A party's inbox: its open briefs, the one due first on top, then the closed ones; a member
// opens a brief to acknowledge, decline, ask, deliver or comment. Made for a phone as well.
import { api, ok } from '../api/client';
import { CLOSED_STATUSES, Marks, NextDue, nextDueMs, usePolledList } from '../components/briefs';
import { formatInstant, useCommon, useText } from '../i18n';
import { briefPath } from '../paths';
import { ErrorNote } from '../components/error-note';

const TEXT = {
  en: { title: 'Inbox', open: 'Open briefs', closed: 'Recently closed', empty: 'Nothing waiting for you.', received: 'received' },
  de: { title: 'Eingang', open: 'Offene Briefings', closed: 'Zuletzt abgeschlossen', empty: 'Nichts wartet auf Sie.', received: 'erhalten' },
};

export function Inbox() {
  const text = useText(TEXT);
  const common = useCommon();
  const { data, error } = usePolledList(() => ok(api.GET('/v1/briefs', { params: { query: { limit: 200 } } })), []);
  const briefs = data?.items ?? [];
  const open = briefs.filter((b) => !(CLOSED_STATUSES as readonly string[]).includes(b.status)).sort((a, b) => nextDueMs(a) - nextDueMs(b));
  const closed = briefs.filter((b) => (CLOSED_STATUSES as readonly string[]).includes(b.status)).slice(0, 20);
  return (
    <section>
      <h1>{text.title}</h1>
      <ErrorNote message={error} />
      {!data && !error && <p class="loading">{common.loading}</p>}
      {data && (
        <>
          <h2>{text.open}</h2>
          {open.length === 0 && <p class="muted">{text.empty}</p>}
          <ul class="list">
            {open.map((brief) => (
              <li key={brief.id}>
                <a href={briefPath(brief.id)}>
                  <strong>{brief.title}</strong>
                </a>{' '}
                <span class="badge">{common.status[brief.status]}</span> <span class="badge">{brief.priority}</span> <Marks brief={brief} />
                <br />
                <NextDue brief={brief} />
              </li>
            ))}
          </ul>
          {closed.length > 0 && (
            <>
              <h2>{text.closed}</h2>
              <ul class="list">
                {closed.map((brief) => (
                  <li key={brief.id}>
                    <a href={briefPath(brief.id)}>{brief.title}</a> <span class="badge">{common.status[brief.status]}</span>{' '}
                    <span class="muted">
                      {text.received} {formatInstant(brief.createdAt)}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
