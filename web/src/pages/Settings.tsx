// My settings: the signed-in member's notification channels per event, language, time zone,
// quiet-hours calendar and receivers (PUT /v1/members/:id/notification-preferences, which every
// member may do for themself), and their webhook secret, shown once when created.
import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schemas } from '../api/client';
import { formatInstant, setLocale, timeZone, useCommon, useText, type Locale } from '../i18n';
import { session } from '../session';
import { FieldError, FormStatus, SecretBox, timeZones, useForm, valueOf } from './admin/form';
import { OutOfOfficeSettings } from '../components/out-of-office';
import { ErrorNote } from '../components/error-note';

type Preferences = Schemas['NotificationPreferences'];
type EventName = keyof Preferences['channels'];
type Channel = 'email' | 'webhook' | 'chat';
const CHANNELS: Channel[] = ['email', 'webhook', 'chat'];

const TEXT = {
  en: {
    title: 'My settings',
    account: 'Account',
    name: 'Name',
    email: 'Email',
    role: 'Role',
    party: 'Party',
    accountNote: 'An admin changes your name and role.',
    notifications: 'Notifications',
    notificationsIntro: 'Choose how you hear of each event. Marked events follow your role’s defaults.',
    event: 'Event',
    roleDefault: 'default',
    channel: { email: 'Email', webhook: 'Webhook', chat: 'Chat' } as Record<Channel, string>,
    events: {
      brief_assigned: 'A brief is assigned',
      reminder: 'A deadline is near',
      escalation: 'An escalation',
      clarification_asked: 'A question is asked',
      clarification_answered: 'A question is answered',
      delivery_submitted: 'A delivery arrives',
      changes_requested: 'Changes are requested',
      approved: 'A delivery is approved',
      cancelled: 'A brief is cancelled',
      acknowledged: 'A brief is acknowledged',
      declined: 'A brief is declined',
      comment: 'A comment',
      brief_changed: 'A brief is changed',
      review_requested: 'Your review is needed',
    } as Record<string, string>,
    resetDefaults: 'Back to my role’s defaults',
    delivery: 'Language, time zone and receivers',
    language: 'Language of the app and of notifications',
    timezone: 'Time zone',
    browserZone: (zone: string) => `Not set (this browser: ${zone})`,
    calendar: 'Quiet hours: notifications wait for the working hours of',
    partyCalendar: 'My party’s calendar',
    webhookUrl: 'Webhook URL',
    chatWebhookUrl: 'Chat webhook URL (Slack-compatible)',
    webhookDisabled: 'This webhook was switched off after repeated failures; saving its URL again switches it back on.',
    optional: 'optional',
    saved: 'Settings saved.',
    scorecardEmail: 'Monthly scorecard email',
    scorecardEmailHint: 'At the start of each month: your party’s scorecard if you lead it, the comparison of all parties if you are a manager.',
    secret: 'Webhook secret',
    secretIntro: 'Handoff signs each webhook with this secret (Handoff-Signature header). A new secret replaces the old one at once.',
    hasSecret: 'Your webhooks are signed.',
    noSecret: 'Your webhooks are not signed yet.',
    createSecret: 'Create a webhook secret',
    rotateSecret: 'Replace the webhook secret',
    newSecret: 'Your new webhook secret',
    secretCreated: (at: string) => `Created ${at}.`,
  },
  de: {
    title: 'Meine Einstellungen',
    account: 'Konto',
    name: 'Name',
    email: 'E-Mail',
    role: 'Rolle',
    party: 'Partner',
    accountNote: 'Name und Rolle ändert ein Admin.',
    notifications: 'Benachrichtigungen',
    notificationsIntro: 'Wählen Sie, wie Sie von jedem Ereignis erfahren. Markierte Ereignisse folgen den Vorgaben Ihrer Rolle.',
    event: 'Ereignis',
    roleDefault: 'Vorgabe',
    channel: { email: 'E-Mail', webhook: 'Webhook', chat: 'Chat' } as Record<Channel, string>,
    events: {
      brief_assigned: 'Ein Briefing wird zugewiesen',
      reminder: 'Eine Frist rückt näher',
      escalation: 'Eine Eskalation',
      clarification_asked: 'Eine Rückfrage wird gestellt',
      clarification_answered: 'Eine Rückfrage wird beantwortet',
      delivery_submitted: 'Eine Lieferung trifft ein',
      changes_requested: 'Änderungen werden angefordert',
      approved: 'Eine Lieferung wird freigegeben',
      cancelled: 'Ein Briefing wird storniert',
      acknowledged: 'Ein Briefing wird bestätigt',
      declined: 'Ein Briefing wird abgelehnt',
      comment: 'Ein Kommentar',
      brief_changed: 'Ein Briefing wird geändert',
      review_requested: 'Ihre Prüfung ist gefragt',
    } as Record<string, string>,
    resetDefaults: 'Zurück zu den Vorgaben meiner Rolle',
    delivery: 'Sprache, Zeitzone und Empfänger',
    language: 'Sprache der App und der Benachrichtigungen',
    timezone: 'Zeitzone',
    browserZone: (zone: string) => `Nicht gesetzt (dieser Browser: ${zone})`,
    calendar: 'Ruhezeiten: Benachrichtigungen warten auf die Arbeitszeiten von',
    partyCalendar: 'Kalender meines Partners',
    webhookUrl: 'Webhook-URL',
    chatWebhookUrl: 'Chat-Webhook-URL (Slack-kompatibel)',
    webhookDisabled: 'Dieser Webhook wurde nach wiederholten Fehlern abgeschaltet; erneutes Speichern der URL schaltet ihn wieder ein.',
    optional: 'optional',
    saved: 'Einstellungen gespeichert.',
    scorecardEmail: 'Monatliche Scorecard per E-Mail',
    scorecardEmailHint: 'Zu Monatsbeginn: die Scorecard Ihrer Partei, wenn Sie sie leiten, als Manager den Vergleich aller Parteien.',
    secret: 'Webhook-Geheimnis',
    secretIntro: 'Handoff signiert jeden Webhook mit diesem Geheimnis (Header Handoff-Signature). Ein neues Geheimnis ersetzt das alte sofort.',
    hasSecret: 'Ihre Webhooks sind signiert.',
    noSecret: 'Ihre Webhooks sind noch nicht signiert.',
    createSecret: 'Webhook-Geheimnis erstellen',
    rotateSecret: 'Webhook-Geheimnis ersetzen',
    newSecret: 'Ihr neues Webhook-Geheimnis',
    secretCreated: (at: string) => `Erstellt ${at}.`,
  },
};

type Draft = { channels: Record<string, Channel[]>; locale: Locale; timezone: string; calendarId: string; webhookUrl: string; chatWebhookUrl: string; scorecardEmail: boolean };

const draftOf = (p: Preferences): Draft => ({
  channels: Object.fromEntries(Object.entries(p.channels).map(([event, list]) => [event, [...list] as Channel[]])),
  locale: p.locale,
  timezone: p.timezone ?? '',
  calendarId: p.calendarId ?? '',
  webhookUrl: p.webhookUrl ?? '',
  chatWebhookUrl: p.chatWebhookUrl ?? '',
  scorecardEmail: p.scorecardEmail,
});

const sameChannels = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((c) => b.includes(c));

export function Settings() {
  const text = useText(TEXT);
  const common = useCommon();
  const current = session.value;
  const memberId = current?.member.id ?? '';
  const [prefs, setPrefs] = useState<Preferences>();
  const [draft, setDraft] = useState<Draft>();
  const [loadError, setLoadError] = useState<string | null>(null);
  const [calendars, setCalendars] = useState<{ id: string; name: string; timezone: string }[] | null>(null);
  const [secret, setSecret] = useState<Schemas['WebhookSecret'] | null>(null);
  const form = useForm();
  const secretForm = useForm();

  useEffect(() => {
    if (!memberId) return;
    ok(api.GET('/v1/members/{id}/notification-preferences', { params: { path: { id: memberId } } })).then(
      (p) => {
        setPrefs(p);
        setDraft(draftOf(p));
      },
      (err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)),
    );
    // Members of a party do not read the calendars: they keep their party's.
    if (current?.member.role !== 'member') {
      ok(api.GET('/v1/calendars', { params: { query: { limit: 200 } } })).then(
        (page) => setCalendars(page.items),
        () => setCalendars(null),
      );
    }
  }, [memberId]);

  if (!current) return null;
  const { member } = current;

  const adopt = (p: Preferences) => {
    // The app follows a language the member has just chosen here, and their time zone, at once.
    if (prefs && p.locale !== prefs.locale) setLocale(p.locale);
    setPrefs(p);
    setDraft(draftOf(p));
    timeZone.value = p.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    session.value = { ...current, member: { ...current.member, locale: p.locale, timezone: p.timezone } };
  };

  const save = (e: Event) => {
    e.preventDefault();
    if (!prefs || !draft) return;
    void form.run(async () => {
      const channels: Record<string, Channel[]> = {};
      for (const [event, list] of Object.entries(draft.channels)) {
        if (!sameChannels(list, prefs.channels[event as EventName])) channels[event] = list;
      }
      const updated = await ok(
        api.PUT('/v1/members/{id}/notification-preferences', {
          params: { path: { id: memberId } },
          body: {
            ...(Object.keys(channels).length ? { channels } : {}),
            locale: draft.locale,
            timezone: draft.timezone || null,
            ...(calendars ? { calendarId: draft.calendarId || null } : {}),
            webhookUrl: draft.webhookUrl.trim() || null,
            chatWebhookUrl: draft.chatWebhookUrl.trim() || null,
            scorecardEmail: draft.scorecardEmail,
          },
        }),
      );
      const switched = updated.locale !== prefs.locale;
      adopt(updated);
      return switched ? TEXT[updated.locale].saved : text.saved;
    });
  };

  const resetDefaults = () => {
    if (!prefs) return;
    void form.run(async () => {
      const channels = Object.fromEntries(Object.keys(prefs.channels).map((event) => [event, null]));
      adopt(await ok(api.PUT('/v1/members/{id}/notification-preferences', { params: { path: { id: memberId } }, body: { channels } })));
      return text.saved;
    });
  };

  const toggle = (event: string, channel: Channel, on: boolean) =>
    setDraft((d) => d && { ...d, channels: { ...d.channels, [event]: on ? CHANNELS.filter((c) => c === channel || d.channels[event].includes(c)) : d.channels[event].filter((c) => c !== channel) } });
  const set = (field: keyof Omit<Draft, 'channels'>) => (e: Event) => setDraft((d) => d && { ...d, [field]: valueOf(e) });

  return (
    <section class="settings">
      <h1>{text.title}</h1>
      <h2>{text.account}</h2>
      <dl class="facts">
        <dt>{text.name}</dt>
        <dd>{member.name}</dd>
        <dt>{text.email}</dt>
        <dd>{member.email}</dd>
        <dt>{text.role}</dt>
        <dd>{common.role[member.role]}</dd>
        <dt>{text.party}</dt>
        <dd>{member.partyName}</dd>
      </dl>
      <p class="muted">{text.accountNote}</p>
      <ErrorNote message={loadError} />
      {!prefs && !loadError && <p class="loading">{common.loading}</p>}
      {prefs && draft && (
        <form onSubmit={save} noValidate>
          <h2>{text.notifications}</h2>
          <p class="muted">{text.notificationsIntro}</p>
          <div class="table-wrap">
            <table class="preferences">
              <thead>
                <tr>
                  <th scope="col">{text.event}</th>
                  {CHANNELS.map((channel) => (
                    <th scope="col" key={channel}>
                      {text.channel[channel]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {Object.keys(draft.channels).map((event) => (
                  <tr key={event}>
                    <th scope="row">
                      {text.events[event] ?? event}{' '}
                      {sameChannels(draft.channels[event], prefs.defaults[event as EventName]) && <span class="badge hold">{text.roleDefault}</span>}
                      <FieldError form={form} id={`pref-${event}`} path={`channels.${event}`} />
                    </th>
                    {CHANNELS.map((channel) => (
                      <td key={channel}>
                        <input
                          type="checkbox"
                          id={`pref-${event}-${channel}`}
                          aria-label={`${text.events[event] ?? event}: ${text.channel[channel]}`}
                          checked={draft.channels[event].includes(channel)}
                          onChange={(e) => toggle(event, channel, e.currentTarget.checked)}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="actions">
            <button type="button" class="secondary" disabled={form.busy} onClick={resetDefaults}>
              {text.resetDefaults}
            </button>
          </div>
          <label class="check">
            <input type="checkbox" checked={draft.scorecardEmail} aria-describedby="set-scorecard-hint" onChange={(e) => setDraft((d) => d && { ...d, scorecardEmail: e.currentTarget.checked })} />
            {text.scorecardEmail}
          </label>
          <p id="set-scorecard-hint" class="muted">
            {text.scorecardEmailHint}
          </p>

          <h2>{text.delivery}</h2>
          <label for="set-locale">{text.language}</label>
          <select id="set-locale" value={draft.locale} onChange={set('locale')} {...form.describe('set-locale', 'locale')}>
            <option value="de">Deutsch</option>
            <option value="en">English</option>
          </select>
          <FieldError form={form} id="set-locale" path="locale" />
          <label for="set-timezone">{text.timezone}</label>
          <select id="set-timezone" value={draft.timezone} onChange={set('timezone')} {...form.describe('set-timezone', 'timezone')}>
            <option value="">{text.browserZone(Intl.DateTimeFormat().resolvedOptions().timeZone)}</option>
            {timeZones(draft.timezone).map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
          <FieldError form={form} id="set-timezone" path="timezone" />
          {calendars && (
            <>
              <label for="set-calendar">{text.calendar}</label>
              <select id="set-calendar" value={draft.calendarId} onChange={set('calendarId')} {...form.describe('set-calendar', 'calendarId')}>
                <option value="">{text.partyCalendar}</option>
                {calendars.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} ({c.timezone})
                  </option>
                ))}
              </select>
              <FieldError form={form} id="set-calendar" path="calendarId" />
            </>
          )}
          <label for="set-webhook">
            {text.webhookUrl} <span class="muted">({text.optional})</span>
          </label>
          <input id="set-webhook" type="url" inputMode="url" value={draft.webhookUrl} onInput={set('webhookUrl')} {...form.describe('set-webhook', 'webhookUrl')} />
          <FieldError form={form} id="set-webhook" path="webhookUrl" />
          {prefs.webhookUrl && !prefs.webhookEnabled && <p class="notice">{text.webhookDisabled}</p>}
          <label for="set-chat">
            {text.chatWebhookUrl} <span class="muted">({text.optional})</span>
          </label>
          <input id="set-chat" type="url" inputMode="url" value={draft.chatWebhookUrl} onInput={set('chatWebhookUrl')} {...form.describe('set-chat', 'chatWebhookUrl')} />
          <FieldError form={form} id="set-chat" path="chatWebhookUrl" />
          <FormStatus form={form} />
          <div class="actions">
            <button type="submit" disabled={form.busy}>
              {common.save}
            </button>
          </div>
        </form>
      )}

      {prefs && (
        <>
          <h2>{text.secret}</h2>
          <p>{text.secretIntro}</p>
          <p>{prefs.hasWebhookSecret || secret ? text.hasSecret : text.noSecret}</p>
          <div class="actions">
            <button
              type="button"
              class={prefs.hasWebhookSecret ? 'secondary' : undefined}
              disabled={secretForm.busy}
              onClick={() =>
                void secretForm.run(async () => {
                  const created = await ok(api.POST('/v1/members/{id}/webhook-secret', { params: { path: { id: memberId } } }));
                  setSecret(created);
                  setPrefs((p) => p && { ...p, hasWebhookSecret: true });
                })
              }
            >
              {prefs.hasWebhookSecret || secret ? text.rotateSecret : text.createSecret}
            </button>
          </div>
          <FormStatus form={secretForm} />
          {secret?.secret && (
            <>
              <SecretBox id="webhook-secret" label={text.newSecret} secret={secret.secret} />
              <p class="muted">{text.secretCreated(formatInstant(secret.createdAt, true))}</p>
            </>
          )}
        </>
      )}
      <OutOfOfficeSettings member={member} />
    </section>
  );
}
