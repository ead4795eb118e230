// Programs: the list, and starting one from a template with a form for its parameters (a party
// parameter picks a party, a date one a date).
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, ApiProblem, ok, type Schemas } from '../api/client';
import { useParties, usePolledList } from '../components/briefs';
import { formatInstant, useCommon, useText } from '../i18n';
import { programPath } from '../paths';
import { session } from '../session';
import { ErrorNote } from '../components/error-note';

const TEXT = {
  en: {
    title: 'Programs',
    none: 'No programs yet.',
    start: 'Start a program from a template',
    template: 'Template',
    choose: 'Choose…',
    name: 'Name (optional)',
    startButton: 'Start program',
    status: { running: 'running', completed: 'completed', cancelled: 'cancelled' } as Record<string, string>,
    progress: (done: number, all: number) => `${done} of ${all} briefs approved`,
    finish: 'projected finish',
    target: 'target',
    late: 'behind the target date',
  },
  de: {
    title: 'Programme',
    none: 'Noch keine Programme.',
    start: 'Programm aus einer Vorlage starten',
    template: 'Vorlage',
    choose: 'Bitte wählen…',
    name: 'Name (optional)',
    startButton: 'Programm starten',
    status: { running: 'läuft', completed: 'abgeschlossen', cancelled: 'storniert' } as Record<string, string>,
    progress: (done: number, all: number) => `${done} von ${all} Briefings freigegeben`,
    finish: 'voraussichtliches Ende',
    target: 'Zieldatum',
    late: 'hinter dem Zieldatum',
  },
};

type Template = Schemas['ProgramTemplate'];

function StartForm() {
  const text = useText(TEXT);
  const { route } = useLocation();
  const parties = useParties();
  const [templates, setTemplates] = useState<Template[]>([]);
  const [templateId, setTemplateId] = useState('');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    ok(api.GET('/v1/program-templates')).then((page) => setTemplates(page.items), () => undefined);
  }, []);
  const template = templates.find((t) => t.id === templateId);
  return (
    <form
      class="card"
      aria-label={text.start}
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        setErrors({});
        const parameters = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
        api
          .POST('/v1/programs', { body: { template: templateId, parameters, ...(name.trim() ? { name: name.trim() } : {}) } })
          .then(({ data, error: problem, response }) => {
            if (!response.ok || !data) {
              const details = (problem ?? {}) as { errors?: { path: string; message: string }[] };
              setErrors(Object.fromEntries((details.errors ?? []).map((x) => [x.path.replace(/^body\.parameters\./, ''), x.message])));
              throw new ApiProblem({ ...(details as object), status: response.status });
            }
            route(programPath(data.id));
          })
          .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
          .finally(() => setBusy(false));
      }}
    >
      <h2>{text.start}</h2>
      <label for="pg-template">{text.template}</label>
      <select id="pg-template" required value={templateId} onChange={(e) => setTemplateId(e.currentTarget.value)}>
        <option value="">{text.choose}</option>
        {templates.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      {template && <p class="muted">{template.description}</p>}
      {template && (
        <>
          <label for="pg-name">{text.name}</label>
          <input id="pg-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <div class="row">
            {Object.entries(template.parameters).map(([key, p]) => (
              <div key={key}>
                <label for={`pg-${key}`}>{p.label}</label>
                {p.type === 'party' ? (
                  <select id={`pg-${key}`} required={p.required} value={values[key] ?? ''} onChange={(e) => setValues({ ...values, [key]: e.currentTarget.value })}>
                    <option value="">{text.choose}</option>
                    {[...parties.values()].map((party) => (
                      <option key={party.id} value={party.id}>
                        {party.name}
                      </option>
                    ))}
                  </select>
                ) : p.type === 'date' ? (
                  <input id={`pg-${key}`} type="date" required={p.required} value={values[key] ?? ''} onInput={(e) => setValues({ ...values, [key]: e.currentTarget.value })} />
                ) : (
                  <input id={`pg-${key}`} required={p.required} value={values[key] ?? ''} onInput={(e) => setValues({ ...values, [key]: e.currentTarget.value })} />
                )}
                {errors[key] && <span class="error">{errors[key]}</span>}
              </div>
            ))}
          </div>
        </>
      )}
      <div class="actions">
        <button type="submit" disabled={busy || !template}>
          {text.startButton}
        </button>
      </div>
      <ErrorNote message={error} />
    </form>
  );
}

export function Programs() {
  const text = useText(TEXT);
  const common = useCommon();
  const { data, error } = usePolledList(() => ok(api.GET('/v1/programs', { params: { query: { limit: 100 } } })), []);
  const manager = session.value?.member.role === 'manager';
  return (
    <section>
      <h1>{text.title}</h1>
      <ErrorNote message={error} />
      {!data && !error && <p class="loading">{common.loading}</p>}
      {data && data.items.length === 0 && <p class="muted">{text.none}</p>}
      <ul class="list">
        {data?.items.map((p) => (
          <li key={p.id}>
            <a href={programPath(p.id)}>
              <strong>{p.name}</strong>
            </a>{' '}
            <span class="badge">{text.status[p.status]}</span> {p.onTrack === false && <span class="badge overdue">{text.late}</span>}
            <br />
            <span class="muted">
              {text.progress(p.briefs.filter((b) => b.state === 'approved').length, p.briefs.length)}
              {p.projectedFinish && ` · ${text.finish} ${formatInstant(p.projectedFinish)}`}
              {p.targetDate && ` · ${text.target} ${formatInstant(p.targetDate, true)}`}
            </span>
          </li>
        ))}
      </ul>
      {manager && <StartForm />}
    </section>
  );
}
