// The member's out-of-office period on their settings page: from, until and the colleague who
// takes their reviews (and new briefs) meanwhile; or none.
import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schemas } from '../api/client';
import { formatInstant, useText } from '../i18n';
import { useMemberNames } from './briefs';
import { ErrorNote } from './error-note';

const TEXT = {
  en: {
    title: 'Out of office',
    intro: 'While you are away, your delegate decides your pending reviews (recorded as on your behalf) and gets your review requests, reminders and new briefs too.',
    none: 'No period set.',
    current: (from: string, until: string, who: string) => `Away from ${from} until ${until}; ${who} stands in.`,
    active: 'active now',
    from: 'From',
    until: 'Until',
    delegate: 'Delegate',
    choose: 'Choose…',
    save: 'Set out of office',
    clear: 'End the period',
    saved: 'Out-of-office period saved.',
    cleared: 'Out-of-office period ended.',
  },
  de: {
    title: 'Abwesenheit',
    intro: 'Während Sie abwesend sind, entscheidet Ihre Vertretung Ihre offenen Prüfungen (in Ihrem Namen vermerkt) und erhält auch Ihre Prüfanfragen, Erinnerungen und neuen Briefings.',
    none: 'Keine Abwesenheit eingetragen.',
    current: (from: string, until: string, who: string) => `Abwesend von ${from} bis ${until}; ${who} vertritt.`,
    active: 'gerade aktiv',
    from: 'Von',
    until: 'Bis',
    delegate: 'Vertretung',
    choose: 'Bitte wählen…',
    save: 'Abwesenheit eintragen',
    clear: 'Abwesenheit beenden',
    saved: 'Abwesenheit gespeichert.',
    cleared: 'Abwesenheit beendet.',
  },
};

const localInput = (iso: string) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

export function OutOfOfficeSettings({ member }: { member: { id: string; partyId: string; role: string } }) {
  const text = useText(TEXT);
  const [current, setCurrent] = useState<Schemas['OutOfOffice'] | null>(null);
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [delegateId, setDelegateId] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const colleagues = [...useMemberNames([member.partyId]).values()].filter(
    (m) => m.id !== member.id && !m.deactivatedAt && (member.role === 'member' || member.role === 'watcher' || m.role === 'manager' || m.role === 'admin'),
  );
  useEffect(() => {
    ok(api.GET('/v1/members/{id}/out-of-office', { params: { path: { id: member.id } } })).then((p) => {
      setCurrent(p);
      if (p.period) {
        setFrom(localInput(p.period.from));
        setUntil(localInput(p.period.until));
        setDelegateId(p.period.delegateId);
      }
    }, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [member.id]);
  const done = (p: Schemas['OutOfOffice'], note: string) => {
    setCurrent(p);
    setMessage(note);
    setError(null);
  };
  const fail = (err: unknown) => setError(err instanceof Error ? err.message : String(err));
  const period = current?.period;
  return (
    <section aria-labelledby="h-ooo">
      <h2 id="h-ooo">{text.title}</h2>
      <p>{text.intro}</p>
      <p>
        {period ? text.current(formatInstant(period.from), formatInstant(period.until), colleagues.find((c) => c.id === period.delegateId)?.name ?? period.delegateId) : text.none}
        {period?.active && <span class="badge ok"> {text.active}</span>}
      </p>
      <form
        class="card row"
        aria-label={text.title}
        onSubmit={(e) => {
          e.preventDefault();
          ok(api.PUT('/v1/members/{id}/out-of-office', { params: { path: { id: member.id } }, body: { from: new Date(from).toISOString(), until: new Date(until).toISOString(), delegateId } })).then(
            (p) => done(p, text.saved),
            fail,
          );
        }}
      >
        <div>
          <label for="ooo-from">{text.from}</label>
          <input id="ooo-from" type="datetime-local" required value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </div>
        <div>
          <label for="ooo-until">{text.until}</label>
          <input id="ooo-until" type="datetime-local" required value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
        </div>
        <div>
          <label for="ooo-delegate">{text.delegate}</label>
          <select id="ooo-delegate" required value={delegateId} onChange={(e) => setDelegateId(e.currentTarget.value)}>
            <option value="">{text.choose}</option>
            {colleagues.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
        <div class="actions">
          <button type="submit">{text.save}</button>
          {period && (
            <button
              type="button"
              class="secondary"
              onClick={() =>
                void api.DELETE('/v1/members/{id}/out-of-office', { params: { path: { id: member.id } } }).then(({ response }) => {
                  if (!response.ok) return fail(new Error(`HTTP ${response.status}`));
                  setFrom('');
                  setUntil('');
                  setDelegateId('');
                  done({ memberId: member.id, period: null }, text.cleared);
                }, fail)
              }
            >
              {text.clear}
            </button>
          )}
        </div>
      </form>
      {message && (
        <p class="notice" role="status">
          {message}
        </p>
      )}
      <ErrorNote message={error} />
    </section>
  );
}
