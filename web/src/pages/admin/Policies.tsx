// Administration of SLA policies: the list, and an editor for a new or an existing policy (name,
// calendar, targets per clock and priority as ISO 8601 business durations, the warning share, and
// the escalation levels: when after the breach, whom they notify, and the repeats of the last).
import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { formatInstant, useCommon, useText } from '../../i18n';
import { FieldError, FormStatus, useForm, valueOf } from './form';
import { ErrorNote } from '../../components/error-note';

const CLOCKS = ['acknowledge', 'deliver', 'review'] as const;
const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
const NOTIFY_ROLES = ['party_lead', 'party_members', 'manager', 'reviewer', 'watchers'] as const;
type Clock = (typeof CLOCKS)[number];
type Priority = (typeof PRIORITIES)[number];
type Targets = Record<Clock, Record<Priority, string>>;
interface Level {
  after: string;
  notify: string[];
}
interface Policy {
  id: string;
  name: string;
  calendarId: string;
  targets: Targets;
  warnAt: number;
  escalation: { levels: Level[]; repeatEvery?: string; maxRepeats?: number };
  isDefault: boolean;
  version: number;
  builtIn: boolean;
  updatedAt: string;
}

const TEXT = {
  en: {
    policies: 'SLA policies',
    name: 'Name',
    calendar: 'Calendar',
    targets: 'Targets',
    levels: 'Escalation levels',
    version: 'Version',
    actions: 'Actions',
    isDefault: 'System default',
    builtIn: 'built in',
    edit: 'Edit',
    view: 'Show',
    newPolicy: 'New policy',
    editPolicy: (name: string) => `Edit “${name}”`,
    viewPolicy: (name: string) => `“${name}” (built in, cannot be changed)`,
    targetsHint: 'Business time in the calendar: whole days and/or time, e.g. PT4H, P2D, P1DT4H. Empty fields take the system default shown.',
    priority: 'Priority',
    warnAt: 'Warn the owner at (% of the target)',
    makeDefault: 'The system default (briefs without a policy of their own or of their party run under it)',
    level: (n: number) => `Level ${n}`,
    after: 'After the breach (business time, PT0S = at once)',
    notify: 'Notify',
    roles: { party_lead: 'The party’s lead', party_members: 'The party’s members', manager: 'The brief’s manager', reviewer: 'The reviewer', watchers: 'Watchers' } as Record<string, string>,
    memberIds: 'Also these members (ids, comma-separated)',
    addLevel: 'Add level',
    removeLevel: (n: number) => `Remove level ${n}`,
    repeatEvery: 'Repeat the last level every (optional)',
    maxRepeats: 'At most this many repeats (optional, 3 by default)',
    create: 'Create policy',
    save: 'Save policy',
    created: (name: string) => `Policy “${name}” created.`,
    saved: (name: string, version: number) => `Policy “${name}” saved (version ${version}). Running briefs keep the version they started with.`,
    levelSummary: (n: number) => `${n} level${n === 1 ? '' : 's'}`,
  },
  de: {
    policies: 'SLA-Richtlinien',
    name: 'Name',
    calendar: 'Kalender',
    targets: 'Zielzeiten',
    levels: 'Eskalationsstufen',
    version: 'Version',
    actions: 'Aktionen',
    isDefault: 'Systemvorgabe',
    builtIn: 'eingebaut',
    edit: 'Bearbeiten',
    view: 'Anzeigen',
    newPolicy: 'Neue Richtlinie',
    editPolicy: (name: string) => `„${name}“ bearbeiten`,
    viewPolicy: (name: string) => `„${name}“ (eingebaut, nicht änderbar)`,
    targetsHint: 'Geschäftszeit im Kalender: ganze Tage und/oder Zeit, z. B. PT4H, P2D, P1DT4H. Leere Felder erhalten die angezeigte Systemvorgabe.',
    priority: 'Priorität',
    warnAt: 'Warnung an den Verantwortlichen bei (% der Zielzeit)',
    makeDefault: 'Die Systemvorgabe (für Briefings ohne eigene Richtlinie oder Richtlinie des Partners)',
    level: (n: number) => `Stufe ${n}`,
    after: 'Nach der Fristverletzung (Geschäftszeit, PT0S = sofort)',
    notify: 'Benachrichtigen',
    roles: { party_lead: 'Leitung des Partners', party_members: 'Mitglieder des Partners', manager: 'Manager des Briefings', reviewer: 'Prüfer', watchers: 'Beobachter' } as Record<string, string>,
    memberIds: 'Zusätzlich diese Mitglieder (IDs, durch Kommas getrennt)',
    addLevel: 'Stufe hinzufügen',
    removeLevel: (n: number) => `Stufe ${n} entfernen`,
    repeatEvery: 'Letzte Stufe wiederholen alle (optional)',
    maxRepeats: 'Höchstens so viele Wiederholungen (optional, Standard 3)',
    create: 'Richtlinie anlegen',
    save: 'Richtlinie speichern',
    created: (name: string) => `Richtlinie „${name}“ angelegt.`,
    saved: (name: string, version: number) => `Richtlinie „${name}“ gespeichert (Version ${version}). Laufende Briefings behalten ihre Startversion.`,
    levelSummary: (n: number) => `${n} Stufe${n === 1 ? '' : 'n'}`,
  },
};

interface DraftLevel {
  after: string;
  roles: string[];
  members: string;
}
interface Draft {
  id: string | null;
  builtIn: boolean;
  name: string;
  calendarId: string;
  targets: Targets;
  warnPercent: string;
  isDefault: boolean;
  levels: DraftLevel[];
  repeatEvery: string;
  maxRepeats: string;
}

const emptyTargets = (): Targets => Object.fromEntries(CLOCKS.map((c) => [c, Object.fromEntries(PRIORITIES.map((p) => [p, '']))])) as Targets;

const newDraft = (): Draft => ({
  id: null,
  builtIn: false,
  name: '',
  calendarId: '24x7',
  targets: emptyTargets(),
  warnPercent: '75',
  isDefault: false,
  levels: [{ after: 'PT0S', roles: ['party_lead', 'manager'], members: '' }],
  repeatEvery: '',
  maxRepeats: '',
});

const draftOf = (p: Policy): Draft => ({
  id: p.id,
  builtIn: p.builtIn,
  name: p.name,
  calendarId: p.calendarId,
  targets: Object.fromEntries(CLOCKS.map((c) => [c, { ...p.targets[c] }])) as Targets,
  warnPercent: String(Math.round(p.warnAt * 10000) / 100),
  isDefault: p.isDefault,
  levels: p.escalation.levels.map((l) => ({
    after: l.after,
    roles: l.notify.filter((n) => (NOTIFY_ROLES as readonly string[]).includes(n)),
    members: l.notify.filter((n) => !(NOTIFY_ROLES as readonly string[]).includes(n)).join(', '),
  })),
  repeatEvery: p.escalation.repeatEvery ?? '',
  maxRepeats: p.escalation.maxRepeats === undefined ? '' : String(p.escalation.maxRepeats),
});

export function Policies() {
  const text = useText(TEXT);
  const common = useCommon();
  const [policies, setPolicies] = useState<Policy[]>();
  const [calendars, setCalendars] = useState<{ id: string; name: string; timezone: string }[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(newDraft);
  const form = useForm();

  useEffect(() => {
    ok(api.GET('/v1/sla-policies', { params: { query: { limit: 200 } } })).then(
      (page) => setPolicies(page.items as Policy[]),
      (err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)),
    );
    ok(api.GET('/v1/calendars', { params: { query: { limit: 200 } } })).then(
      (page) => setCalendars(page.items),
      () => undefined,
    );
  }, []);

  const systemTargets = policies?.find((p) => p.builtIn)?.targets;
  const calendarName = (id: string) => calendars.find((c) => c.id === id)?.name ?? id;
  const put = (saved: Policy) =>
    setPolicies((list) => {
      // One system default: marking this one unmarks the others.
      const others = (list ?? []).map((p) => (saved.isDefault && p.id !== saved.id ? { ...p, isDefault: false } : p));
      return others.some((p) => p.id === saved.id) ? others.map((p) => (p.id === saved.id ? saved : p)) : [...others, saved];
    });
  const editing = draft.id ? policies?.find((p) => p.id === draft.id) : undefined;
  const readOnly = draft.builtIn;

  const setTarget = (clock: Clock, priority: Priority, value: string) => setDraft((d) => ({ ...d, targets: { ...d.targets, [clock]: { ...d.targets[clock], [priority]: value } } }));
  const setLevel = (index: number, change: Partial<DraftLevel>) => setDraft((d) => ({ ...d, levels: d.levels.map((l, i) => (i === index ? { ...l, ...change } : l)) }));

  const submit = (e: Event) => {
    e.preventDefault();
    void form.run(async () => {
      const targets = Object.fromEntries(
        CLOCKS.map((c) => [c, Object.fromEntries(PRIORITIES.filter((p) => draft.targets[c][p].trim()).map((p) => [p, draft.targets[c][p].trim()]))]).filter(([, perPriority]) => Object.keys(perPriority).length > 0),
      );
      const percent = Number(draft.warnPercent.replace(',', '.'));
      const escalation = {
        levels: draft.levels.map((l) => ({
          after: l.after.trim(),
          notify: [
            ...l.roles,
            ...l.members
              .split(/[\s,;]+/)
              .map((m) => m.trim())
              .filter(Boolean),
          ],
        })),
        ...(draft.repeatEvery.trim() ? { repeatEvery: draft.repeatEvery.trim() } : {}),
        ...(draft.maxRepeats.trim() ? { maxRepeats: Number(draft.maxRepeats) } : {}),
      };
      const body = {
        name: draft.name,
        calendarId: draft.calendarId,
        targets,
        // Not a number is sent as it is, for the API to name the field.
        warnAt: Number.isFinite(percent) && draft.warnPercent.trim() ? percent / 100 : (draft.warnPercent as unknown as number),
        escalation,
        isDefault: draft.isDefault,
      };
      if (draft.id) {
        const saved = (await ok(api.PATCH('/v1/sla-policies/{id}', { params: { path: { id: draft.id } }, body }))) as Policy;
        put(saved);
        setDraft(draftOf(saved));
        return text.saved(saved.name, saved.version);
      }
      const created = (await ok(api.POST('/v1/sla-policies', { body }))) as Policy;
      put(created);
      setDraft(draftOf(created));
      return text.created(created.name);
    });
  };

  return (
    <>
      <h2>{text.policies}</h2>
      <ErrorNote message={loadError} />
      {!policies && !loadError && <p class="loading">{common.loading}</p>}
      {policies && (
        <table class="cards">
          <thead>
            <tr>
              <th scope="col">{text.name}</th>
              <th scope="col">{text.calendar}</th>
              <th scope="col">{text.targets}</th>
              <th scope="col">{text.levels}</th>
              <th scope="col">{text.version}</th>
              <th scope="col">{text.actions}</th>
            </tr>
          </thead>
          <tbody>
            {policies.map((p) => (
              <tr key={p.id}>
                <th scope="row">
                  {p.name} {p.isDefault && <span class="badge ok">{text.isDefault}</span>}
                  {p.builtIn && <span class="muted"> · {text.builtIn}</span>}
                </th>
                <td data-label={text.calendar}>{calendarName(p.calendarId)}</td>
                <td data-label={text.targets}>
                  {CLOCKS.map((c) => `${common.clock[c]} ${PRIORITIES.map((pr) => p.targets[c][pr]).join('/')}`).join(' · ')}
                </td>
                <td data-label={text.levels}>{text.levelSummary(p.escalation.levels.length)}</td>
                <td data-label={text.version}>
                  {p.version} <span class="muted">({formatInstant(p.updatedAt, true)})</span>
                </td>
                <td>
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => {
                      form.clear();
                      setDraft(draftOf(p));
                      document.getElementById('policy-editor')?.scrollIntoView();
                    }}
                    aria-label={`${p.builtIn ? text.view : text.edit}: ${p.name}`}
                  >
                    {p.builtIn ? text.view : text.edit}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <section class="card" id="policy-editor" aria-labelledby="policy-editor-title">
        <h3 id="policy-editor-title">{editing ? (readOnly ? text.viewPolicy(editing.name) : text.editPolicy(editing.name)) : text.newPolicy}</h3>
        {draft.id && (
          <p>
            <button
              type="button"
              class="link"
              onClick={() => {
                form.clear();
                setDraft(newDraft());
              }}
            >
              {text.newPolicy}
            </button>
          </p>
        )}
        <form noValidate onSubmit={submit}>
          <fieldset disabled={readOnly}>
            <legend class="visually-hidden">{text.policies}</legend>
            <div class="row">
              <div>
                <label for="pol-name">{text.name}</label>
                <input id="pol-name" required maxLength={200} value={draft.name} onInput={(e) => setDraft({ ...draft, name: valueOf(e) })} {...form.describe('pol-name', 'name')} />
                <FieldError form={form} id="pol-name" path="name" />
              </div>
              <div>
                <label for="pol-calendar">{text.calendar}</label>
                <select id="pol-calendar" value={draft.calendarId} onChange={(e) => setDraft({ ...draft, calendarId: valueOf(e) })} {...form.describe('pol-calendar', 'calendarId')}>
                  {calendars.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name} ({c.timezone})
                    </option>
                  ))}
                </select>
                <FieldError form={form} id="pol-calendar" path="calendarId" />
              </div>
              <div>
                <label for="pol-warn">{text.warnAt}</label>
                <input id="pol-warn" type="number" min={1} max={99} step="any" value={draft.warnPercent} onInput={(e) => setDraft({ ...draft, warnPercent: valueOf(e) })} {...form.describe('pol-warn', 'warnAt')} />
                <FieldError form={form} id="pol-warn" path="warnAt" />
              </div>
            </div>
            <label class="check">
              <input type="checkbox" checked={draft.isDefault} onChange={(e) => setDraft({ ...draft, isDefault: e.currentTarget.checked })} />
              {text.makeDefault}
            </label>

            <h4 id="pol-targets-title">{text.targets}</h4>
            <p class="muted" id="pol-targets-hint">
              {text.targetsHint}
            </p>
            <div class="table-wrap">
              <table class="targets" aria-labelledby="pol-targets-title" aria-describedby="pol-targets-hint">
                <thead>
                  <tr>
                    <td />
                    {PRIORITIES.map((p) => (
                      <th scope="col" key={p}>
                        {p}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {CLOCKS.map((c) => (
                    <tr key={c}>
                      <th scope="row">{common.clock[c]}</th>
                      {PRIORITIES.map((p) => (
                        <td key={p}>
                          <input
                            id={`pol-${c}-${p}`}
                            aria-label={`${common.clock[c]} ${p}`}
                            placeholder={systemTargets?.[c][p] ?? ''}
                            maxLength={40}
                            value={draft.targets[c][p]}
                            onInput={(e) => setTarget(c, p, valueOf(e))}
                            {...form.describe(`pol-${c}-${p}`, `targets.${c}.${p}`)}
                          />
                          <FieldError form={form} id={`pol-${c}-${p}`} path={`targets.${c}.${p}`} />
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>

            <h4>{text.levels}</h4>
            <FieldError form={form} id="pol-levels" path="escalation.levels" />
            {draft.levels.map((level, i) => (
              <fieldset key={i} class="level">
                <legend>{text.level(i + 1)}</legend>
                <label for={`pol-level-${i}-after`}>{text.after}</label>
                <input id={`pol-level-${i}-after`} maxLength={40} value={level.after} onInput={(e) => setLevel(i, { after: valueOf(e) })} {...form.describe(`pol-level-${i}-after`, `escalation.levels.${i}.after`)} />
                <FieldError form={form} id={`pol-level-${i}-after`} path={`escalation.levels.${i}.after`} />
                <fieldset>
                  <legend>{text.notify}</legend>
                  {NOTIFY_ROLES.map((role) => (
                    <label class="check" key={role}>
                      <input
                        type="checkbox"
                        checked={level.roles.includes(role)}
                        onChange={(e) => setLevel(i, { roles: e.currentTarget.checked ? NOTIFY_ROLES.filter((r) => r === role || level.roles.includes(r)) : level.roles.filter((r) => r !== role) })}
                      />
                      {text.roles[role]}
                    </label>
                  ))}
                  <label for={`pol-level-${i}-members`}>{text.memberIds}</label>
                  <input id={`pol-level-${i}-members`} value={level.members} onInput={(e) => setLevel(i, { members: valueOf(e) })} {...form.describe(`pol-level-${i}-notify`, `escalation.levels.${i}.notify`)} />
                  <FieldError form={form} id={`pol-level-${i}-notify`} path={`escalation.levels.${i}.notify`} />
                </fieldset>
                {draft.levels.length > 1 && (
                  <button type="button" class="link" onClick={() => setDraft((d) => ({ ...d, levels: d.levels.filter((_, j) => j !== i) }))}>
                    {text.removeLevel(i + 1)}
                  </button>
                )}
              </fieldset>
            ))}
            <div class="actions">
              <button type="button" class="secondary" onClick={() => setDraft((d) => ({ ...d, levels: [...d.levels, { after: 'PT4H', roles: ['watchers'], members: '' }] }))}>
                {text.addLevel}
              </button>
            </div>
            <div class="row">
              <div>
                <label for="pol-repeat">{text.repeatEvery}</label>
                <input id="pol-repeat" placeholder="PT4H" maxLength={40} value={draft.repeatEvery} onInput={(e) => setDraft({ ...draft, repeatEvery: valueOf(e) })} {...form.describe('pol-repeat', 'escalation.repeatEvery')} />
                <FieldError form={form} id="pol-repeat" path="escalation.repeatEvery" />
              </div>
              <div>
                <label for="pol-max">{text.maxRepeats}</label>
                <input id="pol-max" type="number" min={0} max={100} value={draft.maxRepeats} onInput={(e) => setDraft({ ...draft, maxRepeats: valueOf(e) })} {...form.describe('pol-max', 'escalation.maxRepeats')} />
                <FieldError form={form} id="pol-max" path="escalation.maxRepeats" />
              </div>
            </div>
          </fieldset>
          <FormStatus form={form} />
          {!readOnly && (
            <div class="actions">
              <button type="submit" disabled={form.busy}>
                {draft.id ? text.save : text.create}
              </button>
            </div>
          )}
        </form>
      </section>
    </>
  );
}
