// A program: its dependency graph drawn (each brief coloured by its state, the critical path
// marked), the briefs that are blocked with what holds them, the projected finish against the
// target date, and, for managers, cancelling it and replacing or dropping a declined brief.
import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api, ApiProblem, ok, type Schemas } from '../api/client';
import { useParties, usePolledList } from '../components/briefs';
import { formatInstant, useCommon, useText } from '../i18n';
import { APP_PATHS, briefPath } from '../paths';
import { session } from '../session';
import { ErrorNote } from '../components/error-note';

const TEXT = {
  en: {
    graph: 'Dependencies',
    graphLabel: (n: number, critical: string) => `Dependency graph of ${n} briefs; critical path: ${critical || 'none'}`,
    state: { waiting: 'waiting', running: 'running', approved: 'approved', failed: 'declined or cancelled', dropped: 'dropped', cancelled: 'cancelled' } as Record<string, string>,
    status: { running: 'running', completed: 'completed', cancelled: 'cancelled' } as Record<string, string>,
    critical: 'critical path',
    finish: 'Projected finish',
    target: 'Target date',
    onTrack: 'on track',
    late: 'behind the target date',
    blocked: 'Blocked briefs',
    heldBy: (names: string) => `waiting for ${names}`,
    briefs: 'Briefs',
    noneBlocked: 'Nothing is blocked.',
    cancel: 'Cancel program',
    reason: 'Reason',
    replace: 'Replace',
    drop: 'Drop',
    party: 'Party',
    notFound: 'This program does not exist or is not shared with you.',
    escalations: 'Escalations of this program',
    scorecards: 'Scorecards of this program',
  },
  de: {
    graph: 'Abhängigkeiten',
    graphLabel: (n: number, critical: string) => `Abhängigkeitsgraph von ${n} Briefings; kritischer Pfad: ${critical || 'keiner'}`,
    state: { waiting: 'wartet', running: 'läuft', approved: 'freigegeben', failed: 'abgelehnt oder storniert', dropped: 'gestrichen', cancelled: 'storniert' } as Record<string, string>,
    status: { running: 'läuft', completed: 'abgeschlossen', cancelled: 'storniert' } as Record<string, string>,
    critical: 'kritischer Pfad',
    finish: 'Voraussichtliches Ende',
    target: 'Zieldatum',
    onTrack: 'im Plan',
    late: 'hinter dem Zieldatum',
    blocked: 'Blockierte Briefings',
    heldBy: (names: string) => `wartet auf ${names}`,
    briefs: 'Briefings',
    noneBlocked: 'Nichts ist blockiert.',
    cancel: 'Programm stornieren',
    reason: 'Begründung',
    replace: 'Ersetzen',
    drop: 'Streichen',
    party: 'Partner',
    notFound: 'Dieses Programm gibt es nicht oder es ist nicht für Sie freigegeben.',
    escalations: 'Eskalationen dieses Programms',
    scorecards: 'Scorecards dieses Programms',
  },
};

type Program = Schemas['Program'];

/** The day before an instant (YYYY-MM-DD, UTC): a period from then holds every brief of the program in any time zone. */
const dayBefore = (iso: string) => new Date(Date.parse(iso) - 86_400_000).toISOString().slice(0, 10);
type ProgramBrief = Program['briefs'][number];

const FILL: Record<string, string> = { waiting: '#eef1f5', running: '#dbeafe', approved: '#d1fae5', failed: '#fee2e2', dropped: '#f3f4f6', cancelled: '#f3f4f6' };
const BOX = { w: 200, h: 64, gapX: 60, gapY: 24 };

/** Each brief's column: the length of the longest chain of dependencies before it. */
function layout(briefs: ProgramBrief[]): Map<string, { x: number; y: number }> {
  const depth = new Map<string, number>();
  const byKey = new Map(briefs.map((b) => [b.key, b]));
  const depthOf = (key: string, seen = new Set<string>()): number => {
    if (depth.has(key)) return depth.get(key) as number;
    if (seen.has(key)) return 0;
    seen.add(key);
    const deps = (byKey.get(key)?.dependsOn ?? []).filter((d) => byKey.has(d));
    const d = deps.length ? 1 + Math.max(...deps.map((k) => depthOf(k, seen))) : 0;
    depth.set(key, d);
    return d;
  };
  const rows = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const b of briefs) {
    const d = depthOf(b.key);
    const row = rows.get(d) ?? 0;
    rows.set(d, row + 1);
    at.set(b.key, { x: d * (BOX.w + BOX.gapX), y: row * (BOX.h + BOX.gapY) });
  }
  return at;
}

function Graph({ program }: { program: Program }) {
  const text = useText(TEXT);
  const at = layout(program.briefs);
  const critical = new Set(program.criticalPath);
  const width = Math.max(...[...at.values()].map((p) => p.x)) + BOX.w + 8;
  const height = Math.max(...[...at.values()].map((p) => p.y)) + BOX.h + 8;
  const titleOf = (key: string) => program.briefs.find((b) => b.key === key)?.title ?? key;
  return (
    <svg class="program-graph" viewBox={`-4 -4 ${width} ${height}`} style={{ width: '100%', height: 'auto', maxWidth: `${width}px` }} role="img" aria-label={text.graphLabel(program.briefs.length, program.criticalPath.map(titleOf).join(' → '))}>
      {program.briefs.flatMap((b) =>
        b.dependsOn
          .filter((d) => at.has(d))
          .map((d) => {
            const from = at.get(d) as { x: number; y: number };
            const to = at.get(b.key) as { x: number; y: number };
            const onPath = critical.has(d) && critical.has(b.key);
            return <line key={`${d}-${b.key}`} x1={from.x + BOX.w} y1={from.y + BOX.h / 2} x2={to.x} y2={to.y + BOX.h / 2} stroke={onPath ? '#b45309' : '#9ca3af'} stroke-width={onPath ? 3 : 1.5} />;
          }),
      )}
      {program.briefs.map((b) => {
        const p = at.get(b.key) as { x: number; y: number };
        const onPath = critical.has(b.key);
        return (
          <g key={b.key} data-key={b.key} data-state={b.state} data-critical={onPath ? 'true' : 'false'}>
            <rect x={p.x} y={p.y} width={BOX.w} height={BOX.h} rx={8} fill={FILL[b.state] ?? '#fff'} stroke={onPath ? '#b45309' : '#6b7280'} stroke-width={onPath ? 3 : 1} />
            <text x={p.x + 10} y={p.y + 24} font-size="13" font-weight="600" fill="#111827">
              {b.title.length > 26 ? `${b.title.slice(0, 25)}…` : b.title}
            </text>
            <text x={p.x + 10} y={p.y + 46} font-size="12" fill="#374151">
              {text.state[b.state]}
              {onPath ? ` · ${text.critical}` : ''}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function ProgramPage() {
  const text = useText(TEXT);
  const common = useCommon();
  const { params } = useRoute();
  const id = params.id ?? '';
  const parties = useParties();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const { data, error: loadError, reload } = usePolledList(() => ok(api.GET('/v1/programs/{id}', { params: { path: { id } } })), [id], 2_000);
  const member = session.value?.member;
  const owner = member && (member.role === 'manager' || member.role === 'admin');
  if (loadError && !data) return <p class="error">{loadError.includes('404') || loadError.includes('not found') ? text.notFound : loadError}</p>;
  if (!data) return <p class="loading">{common.loading}</p>;
  const program = data;
  const titleOf = (key: string) => program.briefs.find((b) => b.key === key)?.title ?? key;
  const blocked = program.briefs.filter((b) => b.state === 'waiting' && b.blockedBy.length > 0);
  const change = (call: Promise<{ response: Response; error?: unknown }>) =>
    call
      .then(({ response, error: problem }) => {
        if (!response.ok) throw new ApiProblem({ ...((problem ?? {}) as object), status: response.status });
        setError(null);
        reload();
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  const path = { path: { id: program.id } };
  return (
    <article>
      <h1>{program.name}</h1>
      <p>
        <span class="badge">{text.status[program.status]}</span> {program.onTrack === true && <span class="badge ok">{text.onTrack}</span>}
        {program.onTrack === false && <span class="badge overdue">{text.late}</span>}
      </p>
      <dl class="facts">
        <dt>{text.finish}</dt>
        <dd>{program.projectedFinish ? formatInstant(program.projectedFinish) : '–'}</dd>
        <dt>{text.target}</dt>
        <dd>{program.targetDate ? formatInstant(program.targetDate, true) : '–'}</dd>
      </dl>
      <p class="program-links">
        {member && member.role !== 'member' && (
          <>
            <a href={`${APP_PATHS.escalations}?programId=${encodeURIComponent(program.id)}`}>{text.escalations}</a>
            {' · '}
          </>
        )}
        <a href={`${APP_PATHS.reports}?programId=${encodeURIComponent(program.id)}&from=${dayBefore(program.createdAt)}`}>{text.scorecards}</a>
      </p>
      <ErrorNote message={error} />
      <section aria-labelledby="h-graph">
        <h2 id="h-graph">{text.graph}</h2>
        <Graph program={program} />
      </section>
      <section aria-labelledby="h-blocked">
        <h2 id="h-blocked">{text.blocked}</h2>
        {blocked.length === 0 && <p class="muted">{text.noneBlocked}</p>}
        <ul class="list">
          {blocked.map((b) => (
            <li key={b.key} data-blocked={b.key}>
              <strong>{b.title}</strong>: {text.heldBy(b.blockedBy.map(titleOf).join(', '))}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="h-briefs">
        <h2 id="h-briefs">{text.briefs}</h2>
        <ul class="list">
          {program.briefs.map((b) => (
            <li key={b.key}>
              {b.briefId ? <a href={briefPath(b.briefId)}>{b.title}</a> : <span>{b.title}</span>} <span class="badge">{text.state[b.state]}</span>{' '}
              {program.criticalPath.includes(b.key) && <span class="badge soon">{text.critical}</span>}
              <span class="muted">
                {' '}
                · {text.party}: {parties.get(b.partyId)?.name ?? b.partyId}
                {b.projectedFinish && ` · ${formatInstant(b.projectedFinish)}`}
              </span>
              {owner && program.status === 'running' && b.state === 'failed' && (
                <span class="actions">
                  <button type="button" class="secondary" onClick={() => void change(api.POST('/v1/programs/{id}/briefs/{key}/replace', { params: { path: { id: program.id, key: b.key } }, body: {} }))}>
                    {text.replace}
                  </button>
                  <button type="button" class="secondary" onClick={() => void change(api.POST('/v1/programs/{id}/briefs/{key}/drop', { params: { path: { id: program.id, key: b.key } } }))}>
                    {text.drop}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      </section>
      {owner && program.status === 'running' && (
        <form
          class="card"
          aria-label={text.cancel}
          onSubmit={(e) => {
            e.preventDefault();
            void change(api.POST('/v1/programs/{id}/cancel', { params: path, body: { reason } }));
          }}
        >
          <label for="pg-reason">{text.reason}</label>
          <input id="pg-reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          <div class="actions">
            <button type="submit" class="danger">
              {text.cancel}
            </button>
          </div>
        </form>
      )}
    </article>
  );
}
