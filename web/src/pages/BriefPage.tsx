// A brief: status, clocks with business-time countdowns, the question, deliveries by version,
// comments and the timeline, and only the actions the member's role and the brief's state allow.
// It asks the API every 1.5 s with the brief's ETag (304 while nothing happened), so another
// person's action shows within two seconds. An edit sends If-Match; one that lost a race says so
// and shows the brief as it is now.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { RULES, type ActionName } from '../../../workflows/domain/transitions';
import { api, ApiProblem, type Brief } from '../api/client';
import { CLOCK_NAMES, Marks, useMemberNames, useParties, workingCalendar } from '../components/briefs';
import { formatDueIn, formatInstant, useCommon, useText } from '../i18n';
import { PlanOnBrief, ReviewDecision, ReviewProgress, reviewRoleOf } from '../components/review';
import { programPath } from '../paths';
import { session } from '../session';
import { ErrorNote } from '../components/error-note';

const POLL_MS = 1_500;

const TEXT = {
  en: {
    party: 'Party',
    priority: 'Priority',
    manager: 'Manager',
    reviewer: 'Reviewer',
    dueDate: 'Due date',
    revision: 'Revision',
    policy: 'SLA policy',
    description: 'Description',
    deliverables: 'Deliverables',
    clocks: 'Deadlines',
    clockState: { pending: 'not started', running: 'running', paused: 'paused', met: 'met', breached: 'breached', stopped: 'stopped' } as Record<string, string>,
    pausedFor: { clarification: 'a question is open', hold: 'on hold', outside_working_hours: 'outside working hours' } as Record<string, string>,
    question: 'Open question',
    askedBy: (who: string, at: string) => `asked by ${who}, ${at}`,
    deliveries: 'Deliveries',
    program: 'Program',
    inputs: 'What the briefs it depends on delivered',
    inputVersion: (title: string, n: number, at: string) => `${title}: version ${n}, ${at}`,
    noDelivery: (title: string) => `${title}: nothing delivered`,
    version: (n: number) => `Version ${n}`,
    deliveredBy: (who: string, at: string) => `by ${who}, ${at}`,
    timeline: 'Timeline',
    thread: 'Questions and answers',
    comments: 'Comments',
    asked: 'Question',
    answered: 'Answer',
    actions: 'What you can do',
    noActions: 'Nothing to do for you in this state.',
    changedNow: 'Updated just now',
    onHoldSince: (at: string) => `On hold since ${at}`,
    lostRace: 'Someone changed this brief while you were editing. Below is the brief as it is now; your edit was not saved.',
    notFound: 'This brief does not exist or is not shared with you.',
    edit: 'Edit brief',
    title: 'Title',
    due: 'Due date (empty: none)',
    saveEdit: 'Save changes',
    labels: {
      acknowledge: 'Acknowledge',
      decline: 'Decline',
      askClarification: 'Ask a question',
      answerClarification: 'Answer the question',
      deliver: 'Deliver',
      approve: 'Approve',
      requestChanges: 'Request changes',
      cancel: 'Cancel brief',
      comment: 'Comment',
      hold: 'Put on hold',
      resume: 'Resume',
      review: 'Decide',
      handOverReview: 'Hand over the review',
    } as Record<ActionName, string>,
    editPlan: 'Edit review plan',
    decideForColleague: 'Decide for a colleague out of office',
    fields: { note: 'Note (optional)', reason: 'Reason', question: 'Your question', answer: 'Your answer', summary: 'What you deliver', links: 'Links (one per line, https://…)', body: 'Comment' } as Record<string, string>,
    done: (label: string) => `${label}: done.`,
    events: {
      brief_created: 'created the brief',
      acknowledged: 'acknowledged',
      declined: 'declined',
      clarification_requested: 'asked a question',
      clarification_answered: 'answered the question',
      delivered: 'delivered',
      changes_requested: 'requested changes',
      approved: 'approved',
      cancelled: 'cancelled the brief',
      comment_added: 'commented',
      sla_warning: 'Deadline warning',
      sla_breached: 'Deadline missed',
      escalation_raised: 'Escalated',
      escalation_acknowledged: 'acknowledged the escalation',
      brief_edited: 'edited the brief',
      brief_held: 'put the brief on hold',
      brief_resumed: 'resumed the brief',
      sla_policy_applied: 'SLA policy applied',
      review_stage_opened: 'Review stage opened',
      review_decided: 'decided',
      review_handed_over: 'handed a review over',
      review_stage_closed: 'Review stage closed',
    } as Record<string, string>,
    system: 'Handoff',
  },
  de: {
    party: 'Partner',
    priority: 'Priorität',
    manager: 'Manager',
    reviewer: 'Prüfer',
    dueDate: 'Fälligkeitsdatum',
    revision: 'Runde',
    policy: 'SLA-Richtlinie',
    description: 'Beschreibung',
    deliverables: 'Lieferumfang',
    clocks: 'Fristen',
    clockState: { pending: 'nicht gestartet', running: 'läuft', paused: 'angehalten', met: 'eingehalten', breached: 'verletzt', stopped: 'beendet' } as Record<string, string>,
    pausedFor: { clarification: 'eine Rückfrage ist offen', hold: 'pausiert', outside_working_hours: 'außerhalb der Arbeitszeit' } as Record<string, string>,
    question: 'Offene Rückfrage',
    askedBy: (who: string, at: string) => `gestellt von ${who}, ${at}`,
    deliveries: 'Lieferungen',
    program: 'Programm',
    inputs: 'Was die Briefings geliefert haben, von denen es abhängt',
    inputVersion: (title: string, n: number, at: string) => `${title}: Version ${n}, ${at}`,
    noDelivery: (title: string) => `${title}: nichts geliefert`,
    version: (n: number) => `Version ${n}`,
    deliveredBy: (who: string, at: string) => `von ${who}, ${at}`,
    timeline: 'Verlauf',
    thread: 'Rückfragen und Antworten',
    comments: 'Kommentare',
    asked: 'Frage',
    answered: 'Antwort',
    actions: 'Was Sie tun können',
    noActions: 'In diesem Stand gibt es für Sie nichts zu tun.',
    changedNow: 'Gerade aktualisiert',
    onHoldSince: (at: string) => `Pausiert seit ${at}`,
    lostRace: 'Jemand hat dieses Briefing geändert, während Sie es bearbeitet haben. Unten steht der aktuelle Stand; Ihre Änderung wurde nicht gespeichert.',
    notFound: 'Dieses Briefing gibt es nicht oder es ist nicht für Sie freigegeben.',
    edit: 'Briefing bearbeiten',
    title: 'Titel',
    due: 'Fälligkeitsdatum (leer: keines)',
    saveEdit: 'Änderungen speichern',
    labels: {
      acknowledge: 'Bestätigen',
      decline: 'Ablehnen',
      askClarification: 'Rückfrage stellen',
      answerClarification: 'Rückfrage beantworten',
      deliver: 'Liefern',
      approve: 'Freigeben',
      requestChanges: 'Änderungen anfordern',
      cancel: 'Briefing stornieren',
      comment: 'Kommentieren',
      hold: 'Pausieren',
      resume: 'Fortsetzen',
      review: 'Entscheiden',
      handOverReview: 'Prüfung übergeben',
    } as Record<ActionName, string>,
    editPlan: 'Prüfplan bearbeiten',
    decideForColleague: 'Für einen abwesenden Kollegen entscheiden',
    fields: { note: 'Notiz (optional)', reason: 'Begründung', question: 'Ihre Frage', answer: 'Ihre Antwort', summary: 'Was Sie liefern', links: 'Links (einer pro Zeile, https://…)', body: 'Kommentar' } as Record<string, string>,
    done: (label: string) => `${label}: erledigt.`,
    events: {
      brief_created: 'hat das Briefing erstellt',
      acknowledged: 'hat bestätigt',
      declined: 'hat abgelehnt',
      clarification_requested: 'hat eine Rückfrage gestellt',
      clarification_answered: 'hat die Rückfrage beantwortet',
      delivered: 'hat geliefert',
      changes_requested: 'hat Änderungen angefordert',
      approved: 'hat freigegeben',
      cancelled: 'hat das Briefing storniert',
      comment_added: 'hat kommentiert',
      sla_warning: 'Fristwarnung',
      sla_breached: 'Frist verpasst',
      escalation_raised: 'Eskaliert',
      escalation_acknowledged: 'hat die Eskalation quittiert',
      brief_edited: 'hat das Briefing bearbeitet',
      brief_held: 'hat das Briefing pausiert',
      brief_resumed: 'hat das Briefing fortgesetzt',
      sla_policy_applied: 'SLA-Richtlinie angewandt',
      review_stage_opened: 'Prüfstufe geöffnet',
      review_decided: 'hat entschieden',
      review_handed_over: 'hat eine Prüfung übergeben',
      review_stage_closed: 'Prüfstufe abgeschlossen',
    } as Record<string, string>,
    system: 'Handoff',
  },
};

/** The field each action asks for, and whether it must be filled. */
const ACTION_FIELDS: Record<ActionName, { field: string; required: boolean; multiline?: boolean }[]> = {
  acknowledge: [{ field: 'note', required: false }],
  decline: [{ field: 'reason', required: true, multiline: true }],
  askClarification: [{ field: 'question', required: true, multiline: true }],
  answerClarification: [{ field: 'answer', required: true, multiline: true }],
  deliver: [
    { field: 'summary', required: true, multiline: true },
    { field: 'links', required: false, multiline: true },
  ],
  approve: [{ field: 'note', required: false }],
  requestChanges: [{ field: 'reason', required: true, multiline: true }],
  cancel: [{ field: 'reason', required: true, multiline: true }],
  comment: [{ field: 'body', required: true, multiline: true }],
  hold: [{ field: 'reason', required: false }],
  resume: [{ field: 'note', required: false }],
  // Decisions of a review plan have their own form (components/review.tsx).
  review: [],
  handOverReview: [],
};

const ACTION_ORDER: ActionName[] = ['acknowledge', 'askClarification', 'answerClarification', 'deliver', 'approve', 'requestChanges', 'decline', 'hold', 'resume', 'cancel', 'comment'];

const TERMINAL = ['approved', 'declined', 'cancelled'];

/** What the brief's state machine lets this member do now (the same rules the workflow enforces). */
export function allowedActions(brief: Brief, member: { role: string; partyId: string }): ActionName[] {
  const { role } = member;
  return ACTION_ORDER.filter((action) => {
    // Under a review plan, the open stage's reviewers decide (ReviewDecision), not every manager.
    if (brief.reviewPlan && (action === 'approve' || action === 'requestChanges')) return false;
    const rule = RULES[action];
    if (!(rule.roles as readonly string[]).includes(role)) return false;
    if (role === 'member' && member.partyId !== brief.partyId) return false;
    const legal = rule.from ? (rule.from as readonly string[]).includes(brief.status) : !TERMINAL.includes(brief.status);
    if (!legal) return false;
    if (action === 'hold' && brief.hold) return false;
    if (action === 'resume' && !brief.hold) return false;
    return true;
  });
}

type Values = Record<string, string>;

async function perform(id: string, action: ActionName, values: Values): Promise<void> {
  const path = { path: { id } };
  const text = (name: string) => values[name]?.trim() || undefined;
  const calls: Record<ActionName, () => Promise<{ response: Response; error?: unknown }>> = {
    acknowledge: () => api.POST('/v1/briefs/{id}/acknowledge', { params: path, body: { note: text('note') } }),
    decline: () => api.POST('/v1/briefs/{id}/decline', { params: path, body: { reason: text('reason') ?? '' } }),
    askClarification: () => api.POST('/v1/briefs/{id}/clarifications', { params: path, body: { question: text('question') ?? '' } }),
    answerClarification: () => api.POST('/v1/briefs/{id}/clarifications/answer', { params: path, body: { answer: text('answer') ?? '' } }),
    deliver: () =>
      api.POST('/v1/briefs/{id}/deliveries', {
        params: path,
        body: { summary: text('summary') ?? '', links: (values.links ?? '').split('\n').map((l) => l.trim()).filter(Boolean) },
      }),
    approve: () => api.POST('/v1/briefs/{id}/approve', { params: path, body: { note: text('note') } }),
    requestChanges: () => api.POST('/v1/briefs/{id}/request-changes', { params: path, body: { reason: text('reason') ?? '' } }),
    cancel: () => api.POST('/v1/briefs/{id}/cancel', { params: path, body: { reason: text('reason') ?? '' } }),
    comment: () => api.POST('/v1/briefs/{id}/comments', { params: path, body: { body: text('body') ?? '' } }),
    hold: () => api.POST('/v1/briefs/{id}/hold', { params: path, body: { reason: text('reason') } }),
    resume: () => api.POST('/v1/briefs/{id}/resume', { params: path, body: { note: text('note') } }),
    review: () => api.POST('/v1/briefs/{id}/reviews', { params: path, body: { decision: 'approve', note: text('note') } }),
    handOverReview: () => api.POST('/v1/briefs/{id}/reviews/hand-over', { params: path, body: { to: values.to ?? '' } }),
  };
  const { response, error } = await calls[action]();
  if (!response.ok) throw new ApiProblem({ ...((error ?? {}) as object), status: response.status });
}

/** Only web links are shown as links: anything else a party typed stays text. */
const safeHref = (value: string) => {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
};

/** A delivery's links: web links as links, anything else a party typed as text. */
function DeliveryLinks({ links }: { links: string[] }) {
  if (links.length === 0) return null;
  return (
    <ul>
      {links.map((link) => {
        const href = safeHref(link);
        return (
          <li key={link}>
            {href ? (
              <a href={href} rel="noopener noreferrer nofollow" target="_blank">
                {link}
              </a>
            ) : (
              link
            )}
          </li>
        );
      })}
    </ul>
  );
}

function ActionForm({ brief, action, onDone }: { brief: Brief; action: ActionName; onDone: (message: string) => void }) {
  const text = useText(TEXT);
  const [values, setValues] = useState<Values>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const label = text.labels[action];
  const fields = ACTION_FIELDS[action];
  const idOf = (field: string) => `${action}-${field}`;
  return (
    <form
      class="card"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        perform(brief.id, action, values)
          .then(() => {
            setValues({});
            onDone(text.done(label));
          })
          .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
          .finally(() => setBusy(false));
      }}
    >
      {fields.map(({ field, required, multiline }) => (
        <div key={field}>
          <label for={idOf(field)}>{text.fields[field]}</label>
          {multiline ? (
            <textarea id={idOf(field)} required={required} value={values[field] ?? ''} onInput={(e) => setValues({ ...values, [field]: e.currentTarget.value })} />
          ) : (
            <input id={idOf(field)} required={required} value={values[field] ?? ''} onInput={(e) => setValues({ ...values, [field]: e.currentTarget.value })} />
          )}
        </div>
      ))}
      <div class="actions">
        <button type="submit" class={action === 'cancel' || action === 'decline' ? 'danger' : undefined} disabled={busy}>
          {label}
        </button>
      </div>
      <ErrorNote message={error} />
    </form>
  );
}

/** Datetime-local value (wall time in the browser) for an instant, and back. */
const toLocalInput = (iso: string | null) => {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

function EditForm({ brief, etag, onSaved, onLostRace }: { brief: Brief; etag: string; onSaved: () => void; onLostRace: () => void }) {
  const text = useText(TEXT);
  const [title, setTitle] = useState(brief.title);
  const [description, setDescription] = useState(brief.description);
  const [priority, setPriority] = useState(brief.priority);
  const [due, setDue] = useState(toLocalInput(brief.dueAt));
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      class="card"
      aria-label={text.edit}
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        const body: Record<string, unknown> = {};
        if (title !== brief.title) body.title = title;
        if (description !== brief.description) body.description = description;
        if (priority !== brief.priority) body.priority = priority;
        if (due !== toLocalInput(brief.dueAt)) body.dueAt = due ? new Date(due).toISOString() : null;
        if (!Object.keys(body).length) return onSaved();
        api
          .PATCH('/v1/briefs/{id}', { params: { path: { id: brief.id }, header: { 'if-match': etag } }, body })
          .then(({ response, error: problem }) => {
            if (response.status === 412) return onLostRace();
            if (!response.ok) throw new ApiProblem({ ...((problem ?? {}) as object), status: response.status });
            onSaved();
          })
          .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
      }}
    >
      <h3>{text.edit}</h3>
      <label for="edit-title">{text.title}</label>
      <input id="edit-title" required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      <label for="edit-description">{text.description}</label>
      <textarea id="edit-description" required value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      <label for="edit-priority">{text.priority}</label>
      <select id="edit-priority" value={priority} onChange={(e) => setPriority(e.currentTarget.value as Brief['priority'])}>
        {['P1', 'P2', 'P3', 'P4'].map((p) => (
          <option key={p}>{p}</option>
        ))}
      </select>
      <label for="edit-due">{text.due}</label>
      <input id="edit-due" type="datetime-local" value={due} onInput={(e) => setDue(e.currentTarget.value)} />
      <div class="actions">
        <button type="submit">{text.saveEdit}</button>
      </div>
      <ErrorNote message={error} />
    </form>
  );
}

export function BriefPage() {
  const text = useText(TEXT);
  const common = useCommon();
  const { params } = useRoute();
  const id = params.id ?? '';
  const [brief, setBrief] = useState<Brief>();
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [lostRace, setLostRace] = useState(false);
  // The brief and ETag an edit started from: the page reads on meanwhile, the edit stays on its version.
  const [editing, setEditing] = useState<{ brief: Brief; etag: string } | null>(null);
  const [open, setOpen] = useState<ActionName | null>(null);
  const etag = useRef<string | null>(null);
  const [tick, setTick] = useState(0);
  const parties = useParties();
  const member = session.value?.member;
  const teams = [...parties.values()].filter((p) => p.kind === 'ecommerce');
  const names = useMemberNames([brief?.partyId, member?.partyId, ...teams.map((p) => p.id)]);
  const [planEditing, setPlanEditing] = useState<string | null>(null);
  const [delegating, setDelegating] = useState(false);

  const refresh = async () => {
    const { data, response } = await api.GET('/v1/briefs/{id}', {
      params: { path: { id } },
      headers: etag.current ? { 'If-None-Match': etag.current } : {},
    });
    if (response.status === 304) return;
    if (response.status === 404) return setMissing(true);
    if (!response.ok || !data) throw new Error(`HTTP ${response.status}`);
    etag.current = response.headers.get('ETag');
    setBrief(data);
  };

  useEffect(() => {
    let live = true;
    etag.current = null;
    setBrief(undefined);
    setMissing(false);
    const poll = () => {
      if (document.visibilityState === 'hidden') return;
      refresh().then(
        () => live && setError(null),
        () => live && setError(common.offline),
      );
    };
    poll();
    const timer = setInterval(poll, POLL_MS);
    // Countdowns move on between two answers of the API.
    const clock = setInterval(() => setTick((t) => t + 1), 30_000);
    return () => {
      live = false;
      clearInterval(timer);
      clearInterval(clock);
    };
  }, [id]);

  if (missing) return <p class="error">{text.notFound}</p>;
  if (!brief || !member) return <p class="loading">{common.loading}</p>;
  void tick;
  // A party's members see their own party's names only: anyone else on a brief is the e-commerce team's.
  const unknown = member.role === 'member' ? common.ecommerceTeam : common.someone;
  const who = (memberId: string | null) => (memberId ? (names.get(memberId)?.name ?? (memberId === member.id ? member.name : unknown)) : text.system);
  const actions = allowedActions(brief, member);
  const thread = brief.timeline.filter((e) => e.type === 'clarification_requested' || e.type === 'clarification_answered');
  const comments = brief.timeline.filter((e) => e.type === 'comment_added');
  const working = workingCalendar(brief);
  const isManager = member.role === 'manager';
  const reviewers = [...names.values()].filter((m) => (m.role === 'manager' || m.role === 'admin') && !m.deactivatedAt);
  const reviewRole = reviewRoleOf(brief, member.id);
  const colleagues = reviewers.filter((m) => m.partyId === member.partyId && m.id !== member.id);
  const mayDelegate = !reviewRole && brief.status === 'in_review' && !!brief.reviewPlan && (member.role === 'manager' || member.role === 'admin');
  const planEditable = isManager && !!etag.current && brief.deliveries.length === 0 && !TERMINAL.includes(brief.status);
  const done = (message: string) => {
    setNotice(message);
    // A confirmation, not a state: the brief moves on, and the notice goes.
    setTimeout(() => setNotice((current) => (current === message ? null : current)), 6_000);
    setOpen(null);
    void refresh();
  };
  return (
    <article>
      <h1>{brief.title}</h1>
      <p>
        <span class="badge">{common.status[brief.status]}</span> <span class="badge">{brief.priority}</span> <Marks brief={{ ...brief, overdue: CLOCK_NAMES.some((c) => brief.sla[c].state === 'breached') }} />
      </p>
      {brief.hold && <p class="notice">{text.onHoldSince(formatInstant(brief.hold.since))}{brief.hold.reason ? `: ${brief.hold.reason}` : ''}</p>}
      {lostRace && (
        <p class="error" role="alert">
          {text.lostRace}
        </p>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorNote message={error} />
      <section aria-labelledby="h-actions">
        <h2 id="h-actions">{text.actions}</h2>
        {actions.length === 0 && <p class="muted">{text.noActions}</p>}
        <div class="actions">
          {actions.map((action) => (
            <button key={action} type="button" class={open === action ? undefined : 'secondary'} aria-expanded={open === action} onClick={() => setOpen(open === action ? null : action)}>
              {text.labels[action]}
            </button>
          ))}
          {planEditable && (
            <button type="button" class={planEditing ? undefined : 'secondary'} aria-expanded={!!planEditing} onClick={() => setPlanEditing(planEditing ? null : etag.current)}>
              {text.editPlan}
            </button>
          )}
          {mayDelegate && (
            <button type="button" class={delegating ? undefined : 'secondary'} aria-expanded={delegating} onClick={() => setDelegating(!delegating)}>
              {text.decideForColleague}
            </button>
          )}
          {isManager && !TERMINAL.includes(brief.status) && (
            <button
              type="button"
              class={editing ? undefined : 'secondary'}
              aria-expanded={!!editing}
              onClick={() => setEditing(editing || !etag.current ? null : { brief, etag: etag.current })}
            >
              {text.edit}
            </button>
          )}
        </div>
        {open && actions.includes(open) && <ActionForm key={open} brief={brief} action={open} onDone={done} />}
        {(reviewRole || (mayDelegate && delegating)) && (
          <ReviewDecision
            brief={brief}
            colleagues={reviewRole === 'reviewer' ? colleagues : []}
            asDelegate={!reviewRole}
            onDone={(message) => {
              setDelegating(false);
              done(message);
            }}
          />
        )}
        {planEditing && planEditable && (
          <PlanOnBrief
            key={planEditing}
            brief={brief}
            etag={planEditing}
            reviewers={reviewers}
            parties={[...parties.values()]}
            onSaved={(message) => {
              setPlanEditing(null);
              done(message);
            }}
          />
        )}
        {editing && (
          <EditForm
            key={editing.etag}
            brief={editing.brief}
            etag={editing.etag}
            onSaved={() => {
              setEditing(null);
              setLostRace(false);
              done(text.changedNow);
            }}
            onLostRace={() => {
              setLostRace(true);
              setEditing(null);
              etag.current = null;
              void refresh();
            }}
          />
        )}
      </section>
      <ReviewProgress brief={brief} who={who} />
      <section class="card" aria-label={text.description}>
        <dl class="facts">
          <dt>{text.party}</dt>
          <dd>{parties.get(brief.partyId)?.name ?? '–'}</dd>
          <dt>{text.manager}</dt>
          <dd>{who(brief.managerId)}</dd>
          <dt>{text.reviewer}</dt>
          <dd>{brief.reviewerId ? who(brief.reviewerId) : who(brief.managerId)}</dd>
          <dt>{text.dueDate}</dt>
          <dd>{formatInstant(brief.dueAt, true)}</dd>
          <dt>{text.revision}</dt>
          <dd>{brief.revision}</dd>
          {brief.program && (
            <>
              <dt>{text.program}</dt>
              <dd>
                <a href={programPath(brief.program.id)}>{brief.program.name}</a>
              </dd>
            </>
          )}
          {brief.slaPolicy && (
            <>
              <dt>{text.policy}</dt>
              <dd>
                {brief.slaPolicy.name} ({brief.slaPolicy.calendarName})
              </dd>
            </>
          )}
        </dl>
        <h2>{text.description}</h2>
        <p style={{ whiteSpace: 'pre-wrap' }}>{brief.description}</p>
        {brief.deliverables.length > 0 && (
          <>
            <h2>{text.deliverables}</h2>
            <ul>
              {brief.deliverables.map((d, i) => (
                <li key={i}>{d}</li>
              ))}
            </ul>
          </>
        )}
      </section>
      {brief.program && brief.program.inputs.length > 0 && (
        <section aria-labelledby="h-inputs">
          <h2 id="h-inputs">{text.inputs}</h2>
          {brief.program.inputs.map((input) => (
            <div class="card" key={input.key} data-input={input.key}>
              {input.delivery ? (
                <>
                  <h3>{text.inputVersion(input.title, input.delivery.version, formatInstant(input.delivery.submittedAt))}</h3>
                  <p style={{ whiteSpace: 'pre-wrap' }}>{input.delivery.summary}</p>
                  <DeliveryLinks links={input.delivery.links} />
                </>
              ) : (
                <h3>{text.noDelivery(input.title)}</h3>
              )}
            </div>
          ))}
        </section>
      )}
      <section aria-labelledby="h-clocks">
        <h2 id="h-clocks">{text.clocks}</h2>
        <ul class="list clocks">
          {CLOCK_NAMES.map((name) => {
            const clock = brief.sla[name];
            const live = clock.state === 'running' || clock.state === 'paused' || clock.state === 'breached';
            return (
              <li key={name}>
                <strong>{common.clock[name]}</strong>
                <span>
                  {text.clockState[clock.state]}
                  {clock.pausedFor.length > 0 && ` (${clock.pausedFor.map((p) => text.pausedFor[p]).join(', ')})`}
                </span>
                {live && <span class={clock.state === 'breached' ? 'badge overdue' : undefined}>{formatDueIn(clock.state === 'breached' ? Math.min(clock.remainingMs, -1) : clock.remainingMs, working)}</span>}
                {clock.dueAt && (
                  <time class="muted" dateTime={clock.dueAt}>
                    {formatInstant(clock.dueAt)}
                  </time>
                )}
              </li>
            );
          })}
        </ul>
      </section>
      {brief.clarification && (
        <section class="card" aria-labelledby="h-question">
          <h2 id="h-question">{text.question}</h2>
          <p style={{ whiteSpace: 'pre-wrap' }}>{brief.clarification.question}</p>
          <p class="muted">{text.askedBy(who(brief.clarification.askedBy), formatInstant(brief.clarification.askedAt))}</p>
        </section>
      )}
      {thread.length > 0 && (
        <section aria-labelledby="h-thread">
          <h2 id="h-thread">{text.thread}</h2>
          <ul class="list">
            {thread.map((event) => (
              <li key={event.seq}>
                <strong>{event.type === 'clarification_requested' ? text.asked : text.answered}</strong> · {who(event.actor)} · <span class="muted">{formatInstant(event.at)}</span>
                <div style={{ whiteSpace: 'pre-wrap' }}>{String((event.data as Record<string, unknown>)[event.type === 'clarification_requested' ? 'question' : 'answer'] ?? '')}</div>
              </li>
            ))}
          </ul>
        </section>
      )}
      {comments.length > 0 && (
        <section aria-labelledby="h-comments">
          <h2 id="h-comments">{text.comments}</h2>
          <ul class="list">
            {comments.map((event) => (
              <li key={event.seq}>
                <strong>{who(event.actor)}</strong> · <span class="muted">{formatInstant(event.at)}</span>
                <div style={{ whiteSpace: 'pre-wrap' }}>{String((event.data as Record<string, unknown>).body ?? '')}</div>
              </li>
            ))}
          </ul>
        </section>
      )}
      {brief.deliveries.length > 0 && (
        <section aria-labelledby="h-deliveries">
          <h2 id="h-deliveries">{text.deliveries}</h2>
          {[...brief.deliveries].reverse().map((delivery) => (
            <div class="card" key={delivery.version}>
              <h3>{text.version(delivery.version)}</h3>
              <p class="muted">{text.deliveredBy(who(delivery.submittedBy), formatInstant(delivery.submittedAt))}</p>
              <p style={{ whiteSpace: 'pre-wrap' }}>{delivery.summary}</p>
              <DeliveryLinks links={delivery.links} />
            </div>
          ))}
        </section>
      )}
      <section aria-labelledby="h-timeline">
        <h2 id="h-timeline">{text.timeline}</h2>
        <ol class="timeline" reversed>
          {[...brief.timeline].reverse().map((event) => {
            const data = event.data as Record<string, unknown>;
            const detail = ['answer', 'note', 'reason', 'question', 'summary', 'body'].map((k) => data[k]).find((v) => typeof v === 'string') as string | undefined;
            const clock = typeof data.clock === 'string' ? ` · ${common.clock[data.clock]}` : '';
            const level = typeof data.level === 'number' ? ` · L${data.level}` : '';
            return (
              <li key={event.seq}>
                <span class="muted">{formatInstant(event.at)}</span> · {event.actor ? <strong>{who(event.actor)}</strong> : null} {text.events[event.type] ?? event.type}
                {clock}
                {level}
                {detail && <div style={{ whiteSpace: 'pre-wrap' }}>{detail}</div>}
              </li>
            );
          })}
        </ol>
      </section>
    </article>
  );
}
