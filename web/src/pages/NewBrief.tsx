// The new-brief form: party, title, description, priority, SLA policy and targets, deliverables,
// due date and reviewer, with the deadlines the brief will get previewed before it is sent.
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, ApiProblem, ok, type Schemas } from '../api/client';
import { CLOCK_NAMES, PRIORITIES, useMemberNames, useParties } from '../components/briefs';
import { formatInstant, useCommon, useText } from '../i18n';
import { briefPath } from '../paths';
import { ReviewPlanEditor, type ReviewPlanInput } from '../components/review';
import { ErrorNote } from '../components/error-note';

const TEXT = {
  en: {
    title: 'New brief',
    party: 'Party',
    choose: 'Choose…',
    briefTitle: 'Title',
    description: 'Description',
    priority: 'Priority',
    policy: 'SLA policy',
    partyDefault: "The party's default",
    targets: 'Targets (optional, business time of the policy’s calendar, e.g. PT4H, P2D)',
    deliverables: 'Deliverables (one per line)',
    due: 'Due date (optional)',
    reviewer: 'Reviewer',
    me: 'Me',
    preview: 'Deadlines if sent now',
    previewCalendar: (name: string, tz: string) => `Calendar: ${name} (${tz})`,
    dueAt: 'due',
    warnAt: 'warning',
    firstEscalation: 'first escalation',
    send: 'Send brief',
    sending: 'Sending…',
  },
  de: {
    title: 'Neues Briefing',
    party: 'Partner',
    choose: 'Bitte wählen…',
    briefTitle: 'Titel',
    description: 'Beschreibung',
    priority: 'Priorität',
    policy: 'SLA-Richtlinie',
    partyDefault: 'Standard des Partners',
    targets: 'Zielzeiten (optional, Geschäftszeit des Kalenders der Richtlinie, z. B. PT4H, P2D)',
    deliverables: 'Lieferumfang (einer pro Zeile)',
    due: 'Fälligkeitsdatum (optional)',
    reviewer: 'Prüfer',
    me: 'Ich',
    preview: 'Fristen bei Versand jetzt',
    previewCalendar: (name: string, tz: string) => `Kalender: ${name} (${tz})`,
    dueAt: 'fällig',
    warnAt: 'Warnung',
    firstEscalation: 'erste Eskalation',
    send: 'Briefing senden',
    sending: 'Wird gesendet…',
  },
};

type Form = {
  partyId: string;
  title: string;
  description: string;
  priority: (typeof PRIORITIES)[number];
  slaPolicyId: string;
  acknowledge: string;
  deliver: string;
  review: string;
  deliverables: string;
  due: string;
  reviewerId: string;
};

const EMPTY: Form = { partyId: '', title: '', description: '', priority: 'P3', slaPolicyId: '', acknowledge: '', deliver: '', review: '', deliverables: '', due: '', reviewerId: '' };

/** Which form field a problem's path (`body.targets.deliver`) belongs to. */
const fieldOf = (path: string) => path.replace(/^body\./, '').replace(/^targets\./, '').split('.')[0];

export function NewBrief() {
  const text = useText(TEXT);
  const common = useCommon();
  const { route } = useLocation();
  const parties = useParties();
  const [form, setForm] = useState<Form>(EMPTY);
  const [policies, setPolicies] = useState<Schemas['SlaPolicy'][]>([]);
  const [preview, setPreview] = useState<Schemas['SlaPreview'] | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const teams = [...parties.values()].filter((p) => p.kind === 'ecommerce');
  const members = useMemberNames(teams.map((p) => p.id));
  const managers = [...members.values()].filter((m) => m.role === 'manager' && !('deactivatedAt' in m && m.deactivatedAt));
  const reviewers = [...members.values()].filter((m) => (m.role === 'manager' || m.role === 'admin') && !m.deactivatedAt);
  const [plan, setPlan] = useState<ReviewPlanInput | null>(null);
  const [planErrors, setPlanErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    ok(api.GET('/v1/sla-policies', { params: { query: { limit: 200 } } })).then((page) => setPolicies(page.items), () => undefined);
  }, []);

  const party = parties.get(form.partyId);
  const policyId = form.slaPolicyId || party?.defaultSlaPolicyId || policies.find((p) => p.isDefault)?.id || 'default';
  useEffect(() => {
    const timer = setTimeout(() => {
      const targets = Object.fromEntries(CLOCK_NAMES.filter((c) => form[c].trim()).map((c) => [c, form[c].trim()]));
      api.GET('/v1/sla-policies/{id}/preview', { params: { path: { id: policyId }, query: { priority: form.priority, ...targets } } }).then(
        ({ data }) => setPreview(data ?? null),
        () => setPreview(null),
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [policyId, form.priority, form.acknowledge, form.deliver, form.review]);

  const set = (field: keyof Form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [field]: e.currentTarget.value });
  const describedBy = (field: string) => (errors[field] ? `${field}-error` : undefined);
  const FieldError = ({ field }: { field: string }) =>
    errors[field] ? (
      <span id={`${field}-error`} class="error">
        {errors[field]}
      </span>
    ) : null;

  const submit = async () => {
    const targets = Object.fromEntries(CLOCK_NAMES.filter((c) => form[c].trim()).map((c) => [c, form[c].trim()]));
    const { data, error: problem, response } = await api.POST('/v1/briefs', {
      body: {
        partyId: form.partyId,
        title: form.title,
        description: form.description,
        priority: form.priority,
        deliverables: form.deliverables.split('\n').map((d) => d.trim()).filter(Boolean),
        targets,
        ...(form.slaPolicyId ? { slaPolicyId: form.slaPolicyId } : {}),
        ...(form.reviewerId ? { reviewerId: form.reviewerId } : {}),
        ...(form.due ? { dueAt: new Date(form.due).toISOString() } : {}),
        ...(plan ? { reviewPlan: plan } : {}),
      },
    });
    if (!response.ok || !data) {
      const details = (problem ?? {}) as { errors?: { path: string; message: string }[] };
      setPlanErrors(Object.fromEntries((details.errors ?? []).filter((e) => e.path.startsWith('body.reviewPlan')).map((e) => [e.path.replace(/^body\.reviewPlan\.?/, ''), e.message])));
      setErrors(Object.fromEntries((details.errors ?? []).map((e) => [fieldOf(e.path), e.message])));
      throw new ApiProblem({ ...(details as object), status: response.status });
    }
    route(briefPath(data.id));
  };

  return (
    <section>
      <h1>{text.title}</h1>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          setErrors({});
          setPlanErrors({});
          submit()
            .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
            .finally(() => setBusy(false));
        }}
      >
        <label for="nb-party">{text.party}</label>
        <select id="nb-party" required value={form.partyId} onChange={set('partyId')} aria-describedby={describedBy('partyId')}>
          <option value="">{text.choose}</option>
          {[...parties.values()]
            .filter((p) => p.kind !== 'ecommerce')
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
        </select>
        <FieldError field="partyId" />
        <label for="nb-title">{text.briefTitle}</label>
        <input id="nb-title" required maxLength={200} value={form.title} onInput={set('title')} aria-describedby={describedBy('title')} />
        <FieldError field="title" />
        <label for="nb-description">{text.description}</label>
        <textarea id="nb-description" required value={form.description} onInput={set('description')} aria-describedby={describedBy('description')} />
        <FieldError field="description" />
        <div class="row">
          <div>
            <label for="nb-priority">{text.priority}</label>
            <select id="nb-priority" value={form.priority} onChange={set('priority')}>
              {PRIORITIES.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </div>
          <div>
            <label for="nb-policy">{text.policy}</label>
            <select id="nb-policy" value={form.slaPolicyId} onChange={set('slaPolicyId')} aria-describedby={describedBy('slaPolicyId')}>
              <option value="">{text.partyDefault}</option>
              {policies.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
            <FieldError field="slaPolicyId" />
          </div>
          <div>
            <label for="nb-reviewer">{text.reviewer}</label>
            <select id="nb-reviewer" value={form.reviewerId} onChange={set('reviewerId')}>
              <option value="">{text.me}</option>
              {managers.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="nb-due">{text.due}</label>
            <input id="nb-due" type="datetime-local" value={form.due} onInput={set('due')} aria-describedby={describedBy('dueAt')} />
            <FieldError field="dueAt" />
          </div>
        </div>
        <fieldset>
          <legend>{text.targets}</legend>
          <div class="row">
            {CLOCK_NAMES.map((clock) => (
              <div key={clock}>
                <label for={`nb-${clock}`}>{common.clock[clock]}</label>
                <input id={`nb-${clock}`} placeholder="PT4H" value={form[clock]} onInput={set(clock)} aria-describedby={describedBy(clock)} />
                <FieldError field={clock} />
              </div>
            ))}
          </div>
        </fieldset>
        <label for="nb-deliverables">{text.deliverables}</label>
        <textarea id="nb-deliverables" value={form.deliverables} onInput={set('deliverables')} />
        <ReviewPlanEditor plan={plan} onChange={setPlan} reviewers={reviewers} parties={[...parties.values()]} errors={planErrors} idPrefix="nb" />
        {preview && (
          <section class="notice" aria-live="polite" aria-labelledby="nb-preview">
            <h2 id="nb-preview">{text.preview}</h2>
            <p class="muted">{text.previewCalendar(preview.calendar.name, preview.calendar.timezone)}</p>
            <ul>
              {CLOCK_NAMES.map((clock) => {
                const step = preview.clocks[clock];
                return (
                  <li key={clock}>
                    <strong>{common.clock[clock]}</strong> ({step.target}): {text.dueAt} {formatInstant(step.dueAt)}, {text.warnAt} {formatInstant(step.warnAt)}
                    {step.escalations[0] ? `, ${text.firstEscalation} ${formatInstant(step.escalations[0].at)}` : ''}
                  </li>
                );
              })}
            </ul>
          </section>
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? text.sending : text.send}
          </button>
        </div>
        <ErrorNote message={error} />
      </form>
    </section>
  );
}
