// Review plans in the app: the editor (on the new-brief form, and on a brief until its first
// delivery), each stage's progress with every reviewer's decision, and the decision form of the
// open stage's reviewers (or whom they handed it to, or their delegate while they are away).
import { useState } from 'preact/hooks';
import { api, ApiProblem, type Brief, type Schemas } from '../api/client';
import { formatInstant, useText } from '../i18n';
import type { Member, Party } from './briefs';
import { ErrorNote } from './error-note';

export type ReviewPlanInput = NonNullable<Schemas['CreateBrief']['reviewPlan']>;
type StageInput = ReviewPlanInput['stages'][number];

const TEXT = {
  en: {
    plan: 'Review plan',
    planHint: 'Stages of reviewers a delivery passes in order. Without a plan the reviewer (else the manager) reviews alone.',
    noPlan: 'No review plan: one reviewer decides.',
    addPlan: 'Add a review plan',
    removePlan: 'Remove the plan',
    stage: (n: number) => `Stage ${n}`,
    stageName: 'Name',
    reviewers: 'Reviewers',
    allOf: (role: string, party: string) => `Every ${role} of ${party}`,
    rule: 'Rule',
    rules: { any: 'Any: the first decision wins', all: 'All must approve', quorum: 'A quorum of approvals' },
    quorum: 'Approvals needed',
    target: 'Deadline (business time, e.g. P1D; optional)',
    onDeadline: 'At the deadline',
    deadline: { escalate: 'Escalate', approve: 'Approve automatically' },
    addStage: 'Add a stage',
    removeStage: 'Remove this stage',
    resume: 'After changes, resume at the stage that asked for them',
    ownParty: "Reviewers of the brief's own party may approve",
    savePlan: 'Save the plan',
    review: 'Review',
    revision: (n: number) => `of delivery ${n}`,
    status: { waiting: 'waiting', open: 'open', passed: 'passed', failed: 'changes requested', skipped: 'skipped' } as Record<string, string>,
    decisions: { approve: 'approved', approve_with_changes: 'approved with changes', request_changes: 'requested changes', not_relevant: 'not relevant' } as Record<string, string>,
    pending: 'to decide',
    byFor: (by: string) => `decided by ${by}`,
    outOfOffice: 'out of office',
    handover: 'handed over',
    handedTo: (who: string) => `handed to ${who}`,
    automatic: 'automatic at the deadline',
    timedOut: 'passed at its deadline',
    decide: 'Your decision',
    decideAsDelegate: 'Decide for a reviewer who is out of office',
    decision: 'Decision',
    choices: { approve: 'Approve', approve_with_changes: 'Approve with changes', request_changes: 'Request changes', not_relevant: 'Not relevant for me' } as Record<string, string>,
    note: 'Note (required to request changes; the changes to apply when approving with changes)',
    send: 'Send decision',
    handOver: 'Hand my review to a colleague',
    colleague: 'Colleague',
    handOverSend: 'Hand over',
    done: 'Decision recorded.',
    handed: 'Review handed over.',
  },
  de: {
    plan: 'Prüfplan',
    planHint: 'Stufen von Prüfern, die eine Lieferung nacheinander durchläuft. Ohne Plan entscheidet der Prüfer (sonst der Manager) allein.',
    noPlan: 'Kein Prüfplan: eine Person entscheidet.',
    addPlan: 'Prüfplan hinzufügen',
    removePlan: 'Plan entfernen',
    stage: (n: number) => `Stufe ${n}`,
    stageName: 'Name',
    reviewers: 'Prüfer',
    allOf: (role: string, party: string) => `Alle ${role} von ${party}`,
    rule: 'Regel',
    rules: { any: 'Eine: die erste Entscheidung gilt', all: 'Alle müssen freigeben', quorum: 'Ein Quorum von Freigaben' },
    quorum: 'Nötige Freigaben',
    target: 'Frist (Geschäftszeit, z. B. P1D; optional)',
    onDeadline: 'Bei Fristablauf',
    deadline: { escalate: 'Eskalieren', approve: 'Automatisch freigeben' },
    addStage: 'Stufe hinzufügen',
    removeStage: 'Stufe entfernen',
    resume: 'Nach Änderungen bei der Stufe fortsetzen, die sie angefordert hat',
    ownParty: 'Prüfer des eigenen Partners dürfen freigeben',
    savePlan: 'Plan speichern',
    review: 'Prüfung',
    revision: (n: number) => `von Lieferung ${n}`,
    status: { waiting: 'wartet', open: 'offen', passed: 'bestanden', failed: 'Änderungen angefordert', skipped: 'übersprungen' } as Record<string, string>,
    decisions: { approve: 'freigegeben', approve_with_changes: 'mit Änderungen freigegeben', request_changes: 'Änderungen angefordert', not_relevant: 'nicht zuständig' } as Record<string, string>,
    pending: 'entscheidet noch',
    byFor: (by: string) => `entschieden von ${by}`,
    outOfOffice: 'abwesend',
    handover: 'übergeben',
    handedTo: (who: string) => `übergeben an ${who}`,
    automatic: 'automatisch bei Fristablauf',
    timedOut: 'bei Fristablauf bestanden',
    decide: 'Ihre Entscheidung',
    decideAsDelegate: 'Für einen abwesenden Prüfer entscheiden',
    decision: 'Entscheidung',
    choices: { approve: 'Freigeben', approve_with_changes: 'Mit Änderungen freigeben', request_changes: 'Änderungen anfordern', not_relevant: 'Für mich nicht relevant' } as Record<string, string>,
    note: 'Notiz (Pflicht bei Änderungswünschen; bei Freigabe mit Änderungen: was zu ändern ist)',
    send: 'Entscheidung senden',
    handOver: 'Meine Prüfung an einen Kollegen übergeben',
    colleague: 'Kollege',
    handOverSend: 'Übergeben',
    done: 'Entscheidung gespeichert.',
    handed: 'Prüfung übergeben.',
  },
};

const ROLE_PLURAL: Record<string, Record<string, string>> = { en: { manager: 'manager', admin: 'admin' }, de: { manager: 'Manager', admin: 'Admins' } };

/** A stage reviewers can be picked for: every manager and admin of the e-commerce side. */
export function emptyStage(n: number): StageInput {
  return { name: `Stage ${n}`, reviewers: [], rule: 'all' };
}

/** The plan as a brief shows it, back in the shape the API takes. */
export function planInputOf(plan: NonNullable<Brief['reviewPlan']>): ReviewPlanInput {
  return {
    stages: plan.stages.map((s) => ({
      name: s.name,
      reviewers: s.reviewers.map((r) => (typeof r === 'string' ? r : { partyId: r.partyId, role: r.role as 'manager' | 'admin' })),
      rule: s.rule,
      ...(s.target ? { target: s.target } : {}),
      ...(s.onDeadline ? { onDeadline: s.onDeadline } : {}),
    })),
    ...(plan.resumeAtFailedStage ? { resumeAtFailedStage: true } : {}),
    ...(plan.allowOwnParty ? { allowOwnParty: true } : {}),
  };
}

const refKey = (ref: StageInput['reviewers'][number]) => (typeof ref === 'string' ? ref : `${ref.partyId}:${ref.role}`);

/**
 * The plan editor: stages with a name, reviewers (members, or every manager of a team), a rule,
 * an optional deadline and what happens then. `errors` are the API's, by path under the plan.
 */
export function ReviewPlanEditor({
  plan,
  onChange,
  reviewers,
  parties,
  errors,
  idPrefix,
}: {
  plan: ReviewPlanInput | null;
  onChange: (plan: ReviewPlanInput | null) => void;
  reviewers: Member[];
  parties: Party[];
  errors: Record<string, string>;
  idPrefix: string;
}) {
  const text = useText(TEXT);
  const lang = text === TEXT.de ? 'de' : 'en';
  if (!plan) {
    return (
      <fieldset>
        <legend>{text.plan}</legend>
        <p class="muted">{text.noPlan}</p>
        <button type="button" class="secondary" onClick={() => onChange({ stages: [emptyStage(1)] })}>
          {text.addPlan}
        </button>
      </fieldset>
    );
  }
  const setStage = (i: number, stage: StageInput) => onChange({ ...plan, stages: plan.stages.map((s, j) => (j === i ? stage : s)) });
  const error = (path: string) => {
    const hit = Object.entries(errors).find(([p]) => p === path || p.startsWith(`${path}.`));
    return hit ? <span class="error">{hit[1]}</span> : null;
  };
  const teams = parties.filter((p) => p.kind === 'ecommerce');
  return (
    <fieldset>
      <legend>{text.plan}</legend>
      <p class="muted">{text.planHint}</p>
      {plan.stages.map((stage, i) => {
        const id = `${idPrefix}-stage-${i}`;
        const chosen = new Set(stage.reviewers.map(refKey));
        const toggle = (ref: StageInput['reviewers'][number]) =>
          setStage(i, { ...stage, reviewers: chosen.has(refKey(ref)) ? stage.reviewers.filter((r) => refKey(r) !== refKey(ref)) : [...stage.reviewers, ref] });
        const quorum = typeof stage.rule === 'object' ? stage.rule.quorum : null;
        return (
          <div class="card" key={i} role="group" aria-label={text.stage(i + 1)}>
            <h3>{text.stage(i + 1)}</h3>
            <label for={`${id}-name`}>{text.stageName}</label>
            <input id={`${id}-name`} required value={stage.name} onInput={(e) => setStage(i, { ...stage, name: e.currentTarget.value })} />
            {error(`stages.${i}.name`)}
            <fieldset>
              <legend>{text.reviewers}</legend>
              {reviewers.map((m) => (
                <label key={m.id} class="check">
                  <input type="checkbox" checked={chosen.has(m.id)} onChange={() => toggle(m.id)} /> {m.name}
                </label>
              ))}
              {teams.map((p) => (
                <label key={p.id} class="check">
                  <input type="checkbox" checked={chosen.has(`${p.id}:manager`)} onChange={() => toggle({ partyId: p.id, role: 'manager' })} /> {text.allOf(ROLE_PLURAL[lang].manager, p.name)}
                </label>
              ))}
              {error(`stages.${i}.reviewers`)}
            </fieldset>
            <div class="row">
              <div>
                <label for={`${id}-rule`}>{text.rule}</label>
                <select
                  id={`${id}-rule`}
                  value={quorum === null ? (stage.rule as string) : 'quorum'}
                  onChange={(e) => {
                    const value = e.currentTarget.value;
                    setStage(i, { ...stage, rule: value === 'quorum' ? { quorum: Math.max(1, Math.min(2, stage.reviewers.length)) } : (value as 'any' | 'all') });
                  }}
                >
                  <option value="any">{text.rules.any}</option>
                  <option value="all">{text.rules.all}</option>
                  <option value="quorum">{text.rules.quorum}</option>
                </select>
              </div>
              {quorum !== null && (
                <div>
                  <label for={`${id}-quorum`}>{text.quorum}</label>
                  <input id={`${id}-quorum`} type="number" min={1} value={quorum} onInput={(e) => setStage(i, { ...stage, rule: { quorum: Number(e.currentTarget.value) || 1 } })} />
                  {error(`stages.${i}.rule`)}
                </div>
              )}
              <div>
                <label for={`${id}-target`}>{text.target}</label>
                <input
                  id={`${id}-target`}
                  placeholder="P1D"
                  value={stage.target ?? ''}
                  onInput={(e) => {
                    const { target: _old, ...rest } = stage;
                    const value = e.currentTarget.value.trim();
                    setStage(i, value ? { ...rest, target: value } : rest);
                  }}
                />
                {error(`stages.${i}.target`)}
              </div>
              <div>
                <label for={`${id}-deadline`}>{text.onDeadline}</label>
                <select id={`${id}-deadline`} value={stage.onDeadline ?? 'escalate'} onChange={(e) => setStage(i, { ...stage, onDeadline: e.currentTarget.value as 'escalate' | 'approve' })}>
                  <option value="escalate">{text.deadline.escalate}</option>
                  <option value="approve">{text.deadline.approve}</option>
                </select>
              </div>
            </div>
            {plan.stages.length > 1 && (
              <button type="button" class="secondary" onClick={() => onChange({ ...plan, stages: plan.stages.filter((_, j) => j !== i) })}>
                {text.removeStage}
              </button>
            )}
          </div>
        );
      })}
      <div class="actions">
        <button type="button" class="secondary" onClick={() => onChange({ ...plan, stages: [...plan.stages, emptyStage(plan.stages.length + 1)] })}>
          {text.addStage}
        </button>
        <button type="button" class="secondary" onClick={() => onChange(null)}>
          {text.removePlan}
        </button>
      </div>
      <label class="check">
        <input type="checkbox" checked={!!plan.resumeAtFailedStage} onChange={(e) => onChange({ ...plan, resumeAtFailedStage: e.currentTarget.checked })} /> {text.resume}
      </label>
      <label class="check">
        <input type="checkbox" checked={!!plan.allowOwnParty} onChange={(e) => onChange({ ...plan, allowOwnParty: e.currentTarget.checked })} /> {text.ownParty}
      </label>
      {error('') /* a problem with the plan as a whole */}
    </fieldset>
  );
}

/** Each stage of the review with every reviewer's decision, who made it, and for whom. */
export function ReviewProgress({ brief, who }: { brief: Brief; who: (id: string | null) => string }) {
  const text = useText(TEXT);
  const review = brief.review;
  if (!brief.reviewPlan || !review) return null;
  return (
    <section aria-labelledby="h-review">
      <h2 id="h-review">
        {text.review} <span class="muted">{text.revision(review.revision)}</span>
      </h2>
      <ol class="list stages">
        {review.stages.map((stage, i) => (
          <li key={i} data-stage={i}>
            <strong>{stage.name}</strong> · {stage.ruleLabel} · <span class={`badge stage-${stage.status}`}>{text.status[stage.status]}</span>
            {stage.timedOut && <span class="muted"> · {text.timedOut}</span>}
            <ul>
              {stage.reviewers.map((r) => (
                <li key={r.memberId} data-reviewer={r.memberId}>
                  {who(r.memberId)}: {r.decision ? <strong>{text.decisions[r.decision]}</strong> : <span class="muted">{stage.status === 'open' ? text.pending : '–'}</span>}
                  {r.at && <span class="muted"> · {formatInstant(r.at)}</span>}
                  {r.automatic && <span class="muted"> · {text.automatic}</span>}
                  {r.by && r.by !== r.memberId && (
                    <span class="muted">
                      {' '}
                      · {text.byFor(who(r.by))} ({r.delegation === 'out_of_office' ? text.outOfOffice : text.handover})
                    </span>
                  )}
                  {!r.decision && r.handedTo && <span class="muted"> · {text.handedTo(who(r.handedTo))}</span>}
                  {r.note && <div style={{ whiteSpace: 'pre-wrap' }}>{r.note}</div>}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Whether the member decides in the open stage themself, or for someone who handed them the review. */
export function reviewRoleOf(brief: Brief, memberId: string): 'reviewer' | 'handover' | null {
  const review = brief.review;
  if (brief.status !== 'in_review' || !review || review.currentStage === null) return null;
  const stage = review.stages[review.currentStage];
  if (stage.reviewers.some((r) => r.memberId === memberId && !r.decision && !r.handedTo)) return 'reviewer';
  if (stage.reviewers.some((r) => r.handedTo === memberId && !r.decision)) return 'handover';
  return null;
}

async function send(call: Promise<{ response: Response; error?: unknown }>): Promise<void> {
  const { response, error } = await call;
  if (!response.ok) throw new ApiProblem({ ...((error ?? {}) as object), status: response.status });
}

/** The decision form (and, for a reviewer, handing the review to a colleague). */
export function ReviewDecision({ brief, colleagues, asDelegate, onDone }: { brief: Brief; colleagues: Member[]; asDelegate: boolean; onDone: (message: string) => void }) {
  const text = useText(TEXT);
  const [decision, setDecision] = useState('approve');
  const [note, setNote] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = (call: () => Promise<void>, message: string) => {
    setBusy(true);
    setError(null);
    call()
      .then(() => {
        setNote('');
        onDone(message);
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
      .finally(() => setBusy(false));
  };
  const path = { path: { id: brief.id } };
  return (
    <div class="card">
      <form
        aria-label={asDelegate ? text.decideAsDelegate : text.decide}
        onSubmit={(e) => {
          e.preventDefault();
          const body = { decision: decision as 'approve', ...(note.trim() ? { note: note.trim() } : {}) };
          run(() => send(api.POST('/v1/briefs/{id}/reviews', { params: path, body })), text.done);
        }}
      >
        <h3>{asDelegate ? text.decideAsDelegate : text.decide}</h3>
        <label for="review-decision">{text.decision}</label>
        <select id="review-decision" value={decision} onChange={(e) => setDecision(e.currentTarget.value)}>
          {Object.entries(text.choices).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <label for="review-note">{text.note}</label>
        <textarea id="review-note" required={decision === 'request_changes'} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        <div class="actions">
          <button type="submit" disabled={busy} class={decision === 'request_changes' ? 'danger' : undefined}>
            {text.send}
          </button>
        </div>
      </form>
      {!asDelegate && colleagues.length > 0 && (
        <form
          aria-label={text.handOver}
          onSubmit={(e) => {
            e.preventDefault();
            run(() => send(api.POST('/v1/briefs/{id}/reviews/hand-over', { params: path, body: { to } })), text.handed);
          }}
        >
          <h3>{text.handOver}</h3>
          <label for="review-colleague">{text.colleague}</label>
          <select id="review-colleague" required value={to} onChange={(e) => setTo(e.currentTarget.value)}>
            <option value="">–</option>
            {colleagues.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
          <div class="actions">
            <button type="submit" class="secondary" disabled={busy || !to}>
              {text.handOverSend}
            </button>
          </div>
        </form>
      )}
      <ErrorNote message={error} />
    </div>
  );
}

/** The plan editor on a brief before its first delivery: saved with the brief's ETag. */
export function PlanOnBrief({ brief, etag, reviewers, parties, onSaved }: { brief: Brief; etag: string; reviewers: Member[]; parties: Party[]; onSaved: (message: string) => void }) {
  const text = useText(TEXT);
  const [plan, setPlan] = useState<ReviewPlanInput | null>(brief.reviewPlan ? planInputOf(brief.reviewPlan) : null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      class="card"
      aria-label={text.plan}
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        setErrors({});
        api
          .PATCH('/v1/briefs/{id}', { params: { path: { id: brief.id }, header: { 'if-match': etag } }, body: { reviewPlan: plan } })
          .then(({ response, error: problem }) => {
            if (!response.ok) {
              const details = (problem ?? {}) as { errors?: { path: string; message: string }[] };
              setErrors(Object.fromEntries((details.errors ?? []).map((x) => [x.path.replace(/^body\.reviewPlan\.?/, ''), x.message])));
              throw new ApiProblem({ ...(details as object), status: response.status });
            }
            onSaved(text.savePlan);
          })
          .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
      }}
    >
      <ReviewPlanEditor plan={plan} onChange={setPlan} reviewers={reviewers} parties={parties} errors={errors} idPrefix="bp" />
      <div class="actions">
        <button type="submit">{text.savePlan}</button>
      </div>
      <ErrorNote message={error} />
    </form>
  );
}
