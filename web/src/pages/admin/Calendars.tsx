// Administration of business calendars: the list, a working-hours editor (one or more from–to
// ranges per weekday, a time zone, holidays) for a new or an existing calendar, and the import of
// holidays from an iCalendar (.ics) file.
import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { formatInstant, useCommon, useText } from '../../i18n';
import { FieldError, FormStatus, timeZones, useForm, valueOf } from './form';
import { ErrorNote } from '../../components/error-note';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Day = (typeof DAYS)[number];
type Range = [string, string];
type Hours = Record<Day, Range[]>;
interface Calendar {
  id: string;
  name: string;
  timezone: string;
  workingHours: Partial<Record<Day, string[][]>>;
  holidays: string[];
  version: number;
  builtIn: boolean;
  updatedAt: string;
}
interface ImportResult {
  imported: string[];
  duplicates: string[];
  unsupported: string[];
}

const TEXT = {
  en: {
    calendars: 'Calendars',
    name: 'Name',
    timezone: 'Time zone',
    hours: 'Working hours',
    holidays: 'Holidays',
    version: 'Version',
    actions: 'Actions',
    builtIn: 'built in, round the clock',
    edit: 'Edit',
    newCalendar: 'New calendar',
    editCalendar: (name: string) => `Edit “${name}”`,
    days: { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' } as Record<Day, string>,
    short: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' } as Record<Day, string>,
    closed: 'no working time',
    from: 'From',
    to: 'To',
    addRange: 'Add hours',
    removeRange: 'Remove',
    hoursHint: 'Local time HH:MM; 24:00 ends a day. Several ranges a day are allowed (e.g. 09:00–12:30 and 13:30–17:00).',
    holidaysHint: 'One date per line (YYYY-MM-DD). Days without working time.',
    create: 'Create calendar',
    save: 'Save calendar',
    created: (name: string) => `Calendar “${name}” created.`,
    saved: (name: string, version: number) => `Calendar “${name}” saved (version ${version}). Running briefs keep their version until their policy is applied to them.`,
    importTitle: (name: string) => `Import holidays into “${name}”`,
    importFile: 'iCalendar file (.ics)',
    importButton: 'Import holidays',
    imported: (n: number) => `${n} holiday${n === 1 ? '' : 's'} added`,
    duplicates: (n: number) => `${n} already in the calendar`,
    unsupported: 'Events that could not be read',
    chooseFile: 'Choose an .ics file first.',
    count: (n: number) => `${n} holidays`,
  },
  de: {
    calendars: 'Kalender',
    name: 'Name',
    timezone: 'Zeitzone',
    hours: 'Arbeitszeiten',
    holidays: 'Feiertage',
    version: 'Version',
    actions: 'Aktionen',
    builtIn: 'eingebaut, rund um die Uhr',
    edit: 'Bearbeiten',
    newCalendar: 'Neuer Kalender',
    editCalendar: (name: string) => `„${name}“ bearbeiten`,
    days: { mon: 'Montag', tue: 'Dienstag', wed: 'Mittwoch', thu: 'Donnerstag', fri: 'Freitag', sat: 'Samstag', sun: 'Sonntag' } as Record<Day, string>,
    short: { mon: 'Mo', tue: 'Di', wed: 'Mi', thu: 'Do', fri: 'Fr', sat: 'Sa', sun: 'So' } as Record<Day, string>,
    closed: 'keine Arbeitszeit',
    from: 'Von',
    to: 'Bis',
    addRange: 'Zeiten hinzufügen',
    removeRange: 'Entfernen',
    hoursHint: 'Ortszeit HH:MM; 24:00 beendet einen Tag. Mehrere Zeiträume pro Tag sind möglich (z. B. 09:00–12:30 und 13:30–17:00).',
    holidaysHint: 'Ein Datum pro Zeile (JJJJ-MM-TT). Tage ohne Arbeitszeit.',
    create: 'Kalender anlegen',
    save: 'Kalender speichern',
    created: (name: string) => `Kalender „${name}“ angelegt.`,
    saved: (name: string, version: number) => `Kalender „${name}“ gespeichert (Version ${version}). Laufende Briefings behalten ihre Version, bis ihre Richtlinie auf sie angewendet wird.`,
    importTitle: (name: string) => `Feiertage in „${name}“ importieren`,
    importFile: 'iCalendar-Datei (.ics)',
    importButton: 'Feiertage importieren',
    imported: (n: number) => `${n} Feiertag${n === 1 ? '' : 'e'} hinzugefügt`,
    duplicates: (n: number) => `${n} bereits im Kalender`,
    unsupported: 'Termine, die nicht gelesen werden konnten',
    chooseFile: 'Bitte zuerst eine .ics-Datei wählen.',
    count: (n: number) => `${n} Feiertage`,
  },
};

const emptyHours = (): Hours => ({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] });
const officeHours = (): Hours => ({ ...emptyHours(), mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] });

interface Draft {
  id: string | null;
  name: string;
  timezone: string;
  hours: Hours;
  holidays: string;
}

const draftOf = (c: Calendar): Draft => ({
  id: c.id,
  name: c.name,
  timezone: c.timezone,
  hours: Object.fromEntries(DAYS.map((d) => [d, (c.workingHours[d] ?? []).map(([from, to]) => [from, to] as Range)])) as Hours,
  holidays: c.holidays.join('\n'),
});

const newDraft = (): Draft => ({ id: null, name: '', timezone: 'Europe/Berlin', hours: officeHours(), holidays: '' });

export function Calendars() {
  const text = useText(TEXT);
  const common = useCommon();
  const [calendars, setCalendars] = useState<Calendar[]>();
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(newDraft);
  const form = useForm();

  useEffect(() => {
    ok(api.GET('/v1/calendars', { params: { query: { limit: 200 } } })).then(
      (page) => setCalendars(page.items),
      (err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)),
    );
  }, []);

  const put = (c: Calendar) => setCalendars((list) => (list?.some((x) => x.id === c.id) ? list.map((x) => (x.id === c.id ? c : x)) : [...(list ?? []), c]));
  const editing = draft.id ? calendars?.find((c) => c.id === draft.id) : undefined;

  const setRange = (day: Day, index: number, end: 0 | 1, value: string) =>
    setDraft((d) => ({ ...d, hours: { ...d.hours, [day]: d.hours[day].map((r, i) => (i === index ? ((end === 0 ? [value, r[1]] : [r[0], value]) as Range) : r)) } }));
  const addRange = (day: Day) => setDraft((d) => ({ ...d, hours: { ...d.hours, [day]: [...d.hours[day], ['09:00', '17:00'] as Range] } }));
  const removeRange = (day: Day, index: number) => setDraft((d) => ({ ...d, hours: { ...d.hours, [day]: d.hours[day].filter((_, i) => i !== index) } }));

  const submit = (e: Event) => {
    e.preventDefault();
    void form.run(async () => {
      const workingHours = Object.fromEntries(DAYS.filter((d) => draft.hours[d].length > 0).map((d) => [d, draft.hours[d].map(([from, to]) => [from.trim(), to.trim()] as Range)]));
      const holidays = draft.holidays
        .split(/[\s,;]+/)
        .map((line) => line.trim())
        .filter(Boolean);
      const body = { name: draft.name, timezone: draft.timezone, workingHours, holidays };
      if (draft.id) {
        const saved = (await ok(api.PATCH('/v1/calendars/{id}', { params: { path: { id: draft.id } }, body }))) as Calendar;
        put(saved);
        setDraft(draftOf(saved));
        return text.saved(saved.name, saved.version);
      }
      const created = (await ok(api.POST('/v1/calendars', { body }))) as Calendar;
      put(created);
      setDraft(draftOf(created));
      return text.created(created.name);
    });
  };

  return (
    <>
      <h2>{text.calendars}</h2>
      <ErrorNote message={loadError} />
      {!calendars && !loadError && <p class="loading">{common.loading}</p>}
      {calendars && (
        <table class="cards">
          <thead>
            <tr>
              <th scope="col">{text.name}</th>
              <th scope="col">{text.timezone}</th>
              <th scope="col">{text.hours}</th>
              <th scope="col">{text.holidays}</th>
              <th scope="col">{text.version}</th>
              <th scope="col">{text.actions}</th>
            </tr>
          </thead>
          <tbody>
            {calendars.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  {c.name}
                  {c.builtIn && <span class="muted"> · {text.builtIn}</span>}
                </th>
                <td data-label={text.timezone}>{c.timezone}</td>
                <td data-label={text.hours}>
                  {DAYS.filter((d) => c.workingHours[d]?.length)
                    .map((d) => `${text.short[d]} ${(c.workingHours[d] ?? []).map(([from, to]) => `${from}–${to}`).join(', ')}`)
                    .join(' · ') || '–'}
                </td>
                <td data-label={text.holidays}>{text.count(c.holidays.length)}</td>
                <td data-label={text.version}>
                  {c.version} <span class="muted">({formatInstant(c.updatedAt, true)})</span>
                </td>
                <td>
                  {!c.builtIn && (
                    <button
                      type="button"
                      class="secondary"
                      onClick={() => {
                        form.clear();
                        setDraft(draftOf(c));
                        document.getElementById('calendar-editor')?.scrollIntoView();
                      }}
                      aria-label={`${text.edit}: ${c.name}`}
                    >
                      {text.edit}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <section class="card" id="calendar-editor" aria-labelledby="calendar-editor-title">
        <h3 id="calendar-editor-title">{editing ? text.editCalendar(editing.name) : text.newCalendar}</h3>
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
              {text.newCalendar}
            </button>
          </p>
        )}
        <form noValidate onSubmit={submit}>
          <div class="row">
            <div>
              <label for="cal-name">{text.name}</label>
              <input id="cal-name" required maxLength={200} value={draft.name} onInput={(e) => setDraft({ ...draft, name: valueOf(e) })} {...form.describe('cal-name', 'name')} />
              <FieldError form={form} id="cal-name" path="name" />
            </div>
            <div>
              <label for="cal-timezone">{text.timezone}</label>
              <select id="cal-timezone" value={draft.timezone} onChange={(e) => setDraft({ ...draft, timezone: valueOf(e) })} {...form.describe('cal-timezone', 'timezone')}>
                {timeZones(draft.timezone).map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
              <FieldError form={form} id="cal-timezone" path="timezone" />
            </div>
          </div>
          <fieldset aria-describedby="cal-hours-hint">
            <legend>{text.hours}</legend>
            <p class="muted" id="cal-hours-hint">
              {text.hoursHint}
            </p>
            <FieldError form={form} id="cal-hours" path="workingHours" />
            {DAYS.map((day) => (
              <div class="hours-day" key={day} role="group" aria-labelledby={`cal-${day}-label`}>
                <strong id={`cal-${day}-label`}>{text.days[day]}</strong>
                <div>
                  {draft.hours[day].length === 0 && <p class="muted">{text.closed}</p>}
                  {draft.hours[day].map(([from, to], i) => (
                    <div class="hours-range" key={i}>
                      <label for={`cal-${day}-${i}-from`}>
                        {text.from}
                        <span class="visually-hidden"> ({text.days[day]})</span>
                      </label>
                      <input
                        id={`cal-${day}-${i}-from`}
                        inputMode="numeric"
                        placeholder="09:00"
                        maxLength={5}
                        value={from}
                        onInput={(e) => setRange(day, i, 0, valueOf(e))}
                        {...form.describe(`cal-${day}-${i}`, `workingHours.${day}.${i}`)}
                      />
                      <label for={`cal-${day}-${i}-to`}>
                        {text.to}
                        <span class="visually-hidden"> ({text.days[day]})</span>
                      </label>
                      <input
                        id={`cal-${day}-${i}-to`}
                        inputMode="numeric"
                        placeholder="17:00"
                        maxLength={5}
                        value={to}
                        onInput={(e) => setRange(day, i, 1, valueOf(e))}
                        {...form.describe(`cal-${day}-${i}`, `workingHours.${day}.${i}`)}
                      />
                      <button type="button" class="link" onClick={() => removeRange(day, i)} aria-label={`${text.removeRange}: ${text.days[day]} ${from}–${to}`}>
                        {text.removeRange}
                      </button>
                      <FieldError form={form} id={`cal-${day}-${i}`} path={`workingHours.${day}.${i}`} />
                    </div>
                  ))}
                  {form.errorAt(`workingHours.${day}`) && !draft.hours[day].some((_, i) => form.errorAt(`workingHours.${day}.${i}`)) && (
                    <FieldError form={form} id={`cal-${day}`} path={`workingHours.${day}`} />
                  )}
                  <button type="button" class="link" onClick={() => addRange(day)} aria-label={`${text.addRange}: ${text.days[day]}`}>
                    {text.addRange}
                  </button>
                </div>
              </div>
            ))}
          </fieldset>
          <label for="cal-holidays">{text.holidays}</label>
          <p class="muted" id="cal-holidays-hint">
            {text.holidaysHint}
          </p>
          <textarea
            id="cal-holidays"
            value={draft.holidays}
            onInput={(e) => setDraft({ ...draft, holidays: valueOf(e) })}
            aria-describedby={`cal-holidays-hint${form.errorAt('holidays') ? ' cal-holidays-error' : ''}`}
            aria-invalid={form.errorAt('holidays') ? 'true' : undefined}
          />
          <FieldError form={form} id="cal-holidays" path="holidays" />
          <FormStatus form={form} />
          <div class="actions">
            <button type="submit" disabled={form.busy}>
              {draft.id ? text.save : text.create}
            </button>
          </div>
        </form>
        {editing && (
          <HolidayImport
            key={editing.id}
            calendar={editing}
            onImported={(c) => {
              put(c);
              setDraft((d) => (d.id === c.id ? { ...d, holidays: c.holidays.join('\n') } : d));
            }}
          />
        )}
      </section>
    </>
  );
}

function HolidayImport({ calendar, onImported }: { calendar: Calendar; onImported: (c: Calendar) => void }) {
  const text = useText(TEXT);
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const form = useForm();
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setResult(null);
        void form.run(async () => {
          if (!file) throw new Error(text.chooseFile);
          const body = await file.text();
          // The file goes as it is, as text/calendar: the API reads the iCalendar itself.
          const answer = await ok(
            api.POST('/v1/calendars/{id}/holidays/import', {
              params: { path: { id: calendar.id } },
              body: body as never,
              bodySerializer: (raw: unknown) => raw as string,
              headers: { 'Content-Type': 'text/calendar' },
            }),
          );
          setResult(answer);
          onImported(answer.calendar as Calendar);
        });
      }}
    >
      <h4>{text.importTitle(calendar.name)}</h4>
      <label for="cal-ics">{text.importFile}</label>
      <input id="cal-ics" type="file" accept=".ics,text/calendar" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      <FormStatus form={form} />
      {result && (
        <div class="success" role="status">
          <p>
            {text.imported(result.imported.length)}
            {result.imported.length > 0 && `: ${result.imported.slice(0, 30).join(', ')}${result.imported.length > 30 ? ' …' : ''}`}
          </p>
          <p>{text.duplicates(result.duplicates.length)}</p>
          {result.unsupported.length > 0 && (
            <>
              <p>{text.unsupported}:</p>
              <ul>
                {result.unsupported.map((u) => (
                  <li key={u}>{u}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      <div class="actions">
        <button type="submit" disabled={form.busy}>
          {text.importButton}
        </button>
      </div>
    </form>
  );
}
