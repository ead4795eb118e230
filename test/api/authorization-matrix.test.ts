// Walks the authorisation matrix (authorization-matrix.ts) against a running Handoff: every
// rule, every kind of caller, one request each, on a real Temporal dev server and PGlite.
// The first tests check the table itself: it has a rule for exactly the app's routes (taken
// from the route catalog and from Express's router stack), it agrees with the roles each route
// declares, and outsiders get 404 for every object of party A.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createApp } from '../../api/app';
import { WEB_DIST } from '../../api/web-app';
import { createActionLink, loadActionLinkSecret } from '../../services/action-links';
import { openApiPath } from '../../api/openapi/route';
import { createLogger } from '../../lib/logger';
import type { Role } from '../../workflows/domain/vocabulary';
import { ADMIN_KEY, startTestHandoff, type TestHandoff } from '../support/handoff';
import { apiClient, eventually, type ApiClient, type ApiResponse } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { CALLERS, MATRIX, MOUNTS, OUTSIDERS, SHARED_OBJECTS, type CallerKind, type Outcome, type Rule, type RouteKey } from './authorization-matrix';

interface Fixture {
  url: string;
  clients: Record<CallerKind, ApiClient>;
  /** Each caller's API key, for requests the clients cannot make (streams). */
  keys: Record<CallerKind, string | undefined>;
  partyA: string;
  /** Party A's member whose keys the key routes address; the `member` caller. */
  memberId: string;
  /** Each caller's own member id, for the routes on one's own record. */
  memberIds: Record<Exclude<CallerKind, 'anonymous'>, string>;
  /** A brief of party A, awaiting acknowledgement, for reads and refused actions. */
  briefId: string;
  /** A program whose one running brief belongs to party A. */
  programId: string;
  /** An open escalation of a brief of party A, for reads and refused acknowledgements. */
  escalation: { id: string; briefId: string };
  /** Escalations nobody has acknowledged yet, for the calls expected to succeed. */
  escalationPool: Promise<{ id: string; briefId: string }>[];
  /** A calendar and an SLA policy (on it), shared by every party. */
  calendarId: string;
  policyId: string;
  /** The path of a new one-click link acknowledging the brief, made for party A's member. */
  acknowledgeLink(briefId: string): Promise<string>;
  /** The path of a link to the brief's read-only page, made for party A's member. */
  viewLink(briefId: string): Promise<string>;
}

interface Call {
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** A Server-Sent Events answer: read until it contains this text or a second has passed, then hung up on. */
  streamUntil?: string;
}

interface Recipe {
  /**
   * The request for one cell; `fresh` when it is expected to succeed and so gets objects of its
   * own. `owner` replaces party A's member on routes of a member's own record (rules with `self`).
   */
  call(fx: Fixture, fresh: boolean, owner?: string): Promise<Call>;
  /** For list routes: whether the answer lists party A's object. */
  lists?(body: any, fx: Fixture): boolean;
}

let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}`;

async function created(res: Promise<ApiResponse>, what: string): Promise<any> {
  const answer = await res;
  if (answer.status !== 201 && answer.status !== 200 && answer.status !== 202) throw new Error(`setting up ${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function newBrief(fx: Fixture, extra: Record<string, unknown> = {}): Promise<string> {
  const body = { title: unique('Brief'), description: 'Made by the authorisation matrix', partyId: fx.partyA, ...extra };
  return (await created(fx.clients.manager.post('/v1/briefs', body), 'a brief')).id as string;
}

/** A new program of one brief of party A (running, awaiting acknowledgement). */
async function newProgram(fx: Fixture): Promise<string> {
  const body = { name: unique('Program'), briefs: [{ key: 'a', title: unique('Program brief'), description: 'Made by the authorisation matrix', partyId: fx.partyA }] };
  return (await created(fx.clients.manager.post('/v1/programs', body), 'a program')).id as string;
}

type Stage = 'awaiting_ack' | 'in_progress' | 'clarification_requested' | 'in_review' | 'on_hold';

/** A new brief of party A, driven to the status where the action under test is legal. */
async function briefIn(fx: Fixture, stage: Stage): Promise<string> {
  const id = await newBrief(fx);
  const member = fx.clients.member;
  if (stage === 'clarification_requested') await created(member.post(`/v1/briefs/${id}/clarifications`, { question: 'Which colours?' }), 'a question');
  if (stage === 'in_progress' || stage === 'in_review') await created(member.post(`/v1/briefs/${id}/acknowledge`, {}), 'an acknowledgement');
  if (stage === 'in_review') await created(member.post(`/v1/briefs/${id}/deliveries`, { summary: 'Draft', links: ['https://files.example/v1.zip'] }), 'a delivery');
  if (stage === 'on_hold') await created(fx.clients.manager.post(`/v1/briefs/${id}/hold`, {}), 'a hold');
  return id;
}

/** A new brief of party A in review, under a plan whose one stage names the admin and the manager. */
async function inReview(fx: Fixture): Promise<string> {
  const reviewPlan = { stages: [{ name: 'Review', reviewers: [fx.memberIds.admin, fx.memberIds.manager], rule: 'any' }] };
  const id = await newBrief(fx, { reviewPlan });
  await created(fx.clients.member.post(`/v1/briefs/${id}/acknowledge`, {}), 'an acknowledgement');
  await created(fx.clients.member.post(`/v1/briefs/${id}/deliveries`, { summary: 'Draft' }), 'a delivery');
  return id;
}

/** A brief of party A whose acknowledge clock runs out at once, and the escalation it raises. */
async function escalate(fx: Fixture): Promise<{ id: string; briefId: string }> {
  const briefId = await newBrief(fx, { priority: 'P1', targets: { acknowledge: 'PT1S' } });
  const id = await eventually(async () => {
    const res = await fx.clients.manager.get(`/v1/escalations?briefId=${briefId}`);
    return res.body?.items?.[0]?.id as string | undefined;
  }, 30_000);
  return { id, briefId };
}

async function freshEscalation(fx: Fixture): Promise<{ id: string; briefId: string }> {
  return fx.escalationPool.shift() ?? escalate(fx);
}

/** A key of the member that no one uses, so revoking or rotating it breaks nothing. */
async function spareKey(fx: Fixture, memberId: string): Promise<string> {
  return (await created(fx.clients.admin.post(`/v1/members/${memberId}/api-keys`, {}), 'a spare key')).id as string;
}

/** A new member of party A, made by the admin, for the calls that change a member for good. */
async function spareMember(fx: Fixture): Promise<string> {
  const name = unique('member');
  return (await created(fx.clients.admin.post(`/v1/parties/${fx.partyA}/members`, { name, email: `${name}@pixelwerk.example`, role: 'member' }), 'a spare member')).id as string;
}

/**
 * A new colleague of the member (same party; a manager when the member reviews, as managers and
 * admins do), made by the admin: the delegate an out-of-office period needs.
 */
async function colleagueOf(fx: Fixture, memberId: string): Promise<string> {
  const parties = (await created(fx.clients.admin.get('/v1/parties?limit=200'), 'the parties')).items as { id: string }[];
  for (const party of parties) {
    const members = (await created(fx.clients.admin.get(`/v1/parties/${party.id}/members?limit=200`), 'the members')).items as { id: string; role: string }[];
    const member = members.find((m) => m.id === memberId);
    if (!member) continue;
    const name = unique('colleague');
    const role = member.role === 'manager' || member.role === 'admin' ? 'manager' : 'member';
    return (await created(fx.clients.admin.post(`/v1/parties/${party.id}/members`, { name, email: `${name}@example.com`, role }), 'a colleague')).id as string;
  }
  throw new Error(`no party has member ${memberId}`);
}

const get = (path: string) => async (): Promise<Call> => ({ path });

/** The built web app's script (test/support/global-setup.ts builds the app when web/dist is missing). */
const webAsset = () => readdirSync(WEB_DIST).find((name) => name.endsWith('.js')) as string;

let application: Promise<string> | undefined;
/** The path of an application of the fixture's policy, started once by the admin. */
const policyApplication = (fx: Fixture) =>
  (application ??= created(fx.clients.admin.post(`/v1/sla-policies/${fx.policyId}/apply-to-running`), 'a policy application').then((body) => body.href as string));

const WORKDAY = [['09:00', '17:00']];
const calendarBody = () => ({ name: unique('Calendar'), timezone: 'Europe/Berlin', workingHours: { mon: WORKDAY, tue: WORKDAY, wed: WORKDAY, thu: WORKDAY, fri: WORKDAY } });
const policyBody = (calendarId?: string) => ({ name: unique('Policy'), calendarId, escalation: { levels: [{ after: 'PT0S', notify: ['party_lead', 'manager'] }] } });
const HOLIDAYS_ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Christmas\r\nDTSTART;VALUE=DATE:20261225\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';

/** A brief action: a fresh brief in `stage` when the call should succeed, the shared one otherwise. */
const action = (route: string, stage: Stage, body: unknown) => async (fx: Fixture, fresh: boolean): Promise<Call> => ({
  path: `/v1/briefs/${fresh ? await briefIn(fx, stage) : fx.briefId}/${route}`,
  body,
});

/** How to call each route; a route added to the matrix without a recipe does not compile. */
const RECIPES: Record<RouteKey, Recipe> = {
  'GET /': { call: get('/') },
  'GET /board': { call: get('/board') },
  'GET /inbox': { call: get('/inbox') },
  'GET /briefs/new': { call: get('/briefs/new') },
  'GET /briefs/:id': { call: async (fx) => ({ path: `/briefs/${fx.briefId}` }) },
  'GET /escalations': { call: get('/escalations') },
  'GET /admin': { call: get('/admin') },
  'GET /admin/:section': { call: get('/admin/parties') },
  'GET /settings': { call: get('/settings') },
  'GET /reports': { call: get('/reports') },
  'GET /programs': { call: get('/programs') },
  'GET /programs/:id': { call: async (fx) => ({ path: `/programs/${fx.programId}` }) },
  'GET /reports/:partyId': { call: async (fx) => ({ path: `/reports/${fx.partyA}` }) },
  'GET /signin': { call: get('/signin') },
  'GET /signin/:token': { call: get('/signin/not-a-real-token') },
  'GET /assets/:file': { call: async () => ({ path: `/assets/${webAsset()}` }) },
  'GET /healthz': { call: get('/healthz') },
  'GET /openapi.json': { call: get('/openapi.json') },
  'GET /docs': { call: get('/docs') },
  'GET /docs/init.js': { call: get('/docs/init.js') },
  'GET /actions/:token': { call: async (fx) => ({ path: await fx.acknowledgeLink(fx.briefId) }) },
  'GET /view/:token': { call: async (fx) => ({ path: await fx.viewLink(fx.briefId) }) },
  'POST /actions/:token': {
    call: async (fx) => ({
      path: await fx.acknowledgeLink(await briefIn(fx, 'awaiting_ack')),
      body: 'note=',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
  },
  'POST /v1/session/sign-in-link': { call: async () => ({ path: '/v1/session/sign-in-link', body: { email: `${unique('nobody')}@example.com` } }) },
  'POST /v1/session': {
    call: async (fx) => ({ path: '/v1/session', body: { apiKey: (await created(fx.clients.admin.post(`/v1/members/${fx.memberId}/api-keys`, {}), 'a key to sign in with')).key as string } }),
  },
  'GET /v1/session': { call: get('/v1/session') },
  'DELETE /v1/session': { call: get('/v1/session') },
  'GET /v1/me': { call: get('/v1/me') },
  'POST /v1/parties': { call: async () => ({ path: '/v1/parties', body: { name: unique('Party'), kind: 'agency' } }) },
  'GET /v1/parties': {
    call: get('/v1/parties?limit=200'),
    lists: (body, fx) => body.items.some((p: { id: string }) => p.id === fx.partyA),
  },
  'GET /v1/parties/:id': { call: async (fx) => ({ path: `/v1/parties/${fx.partyA}` }) },
  'GET /v1/parties/:id/members': { call: async (fx) => ({ path: `/v1/parties/${fx.partyA}/members` }) },
  'POST /v1/parties/:id/members': {
    call: async (fx) => {
      const name = unique('member');
      return { path: `/v1/parties/${fx.partyA}/members`, body: { name, email: `${name}@pixelwerk.example`, role: 'member' } };
    },
  },
  'PATCH /v1/members/:id': { call: async (fx) => ({ path: `/v1/members/${fx.memberId}`, body: { locale: 'en' } }) },
  'POST /v1/members/:id/deactivate': {
    call: async (fx, fresh) => ({ path: `/v1/members/${fresh ? await spareMember(fx) : fx.memberId}/deactivate`, body: { reason: 'left the agency' } }),
  },
  'POST /v1/members/:id/reactivate': {
    call: async (fx, fresh) => {
      if (!fresh) return { path: `/v1/members/${fx.memberId}/reactivate`, body: {} };
      const id = await spareMember(fx);
      await created(fx.clients.admin.post(`/v1/members/${id}/deactivate`, {}), 'a deactivation');
      return { path: `/v1/members/${id}/reactivate`, body: {} };
    },
  },
  'GET /v1/members/:id/open-responsibilities': { call: async (fx) => ({ path: `/v1/members/${fx.memberId}/open-responsibilities` }) },
  'GET /v1/audit': { call: get('/v1/audit') },
  'GET /v1/admin/activity-failures': { call: get('/v1/admin/activity-failures') },
  'POST /v1/admin/reconcile': { call: async () => ({ path: '/v1/admin/reconcile', body: {} }) },
  'POST /v1/members/:id/api-keys': { call: async (fx) => ({ path: `/v1/members/${fx.memberId}/api-keys`, body: {} }) },
  'GET /v1/members/:id/api-keys': { call: async (fx, _fresh, owner = fx.memberId) => ({ path: `/v1/members/${owner}/api-keys` }) },
  'POST /v1/members/:id/api-keys/:keyId/revoke': {
    call: async (fx, _fresh, owner = fx.memberId) => ({ path: `/v1/members/${owner}/api-keys/${await spareKey(fx, owner)}/revoke` }),
  },
  'POST /v1/members/:id/api-keys/:keyId/rotate': {
    call: async (fx, _fresh, owner = fx.memberId) => ({ path: `/v1/members/${owner}/api-keys/${await spareKey(fx, owner)}/rotate`, body: { overlap: 'PT1H' } }),
  },
  'GET /v1/members/:id/notification-preferences': { call: async (fx, _fresh, owner = fx.memberId) => ({ path: `/v1/members/${owner}/notification-preferences` }) },
  'PUT /v1/members/:id/notification-preferences': {
    call: async (fx, _fresh, owner = fx.memberId) => ({ path: `/v1/members/${owner}/notification-preferences`, body: { channels: { comment: ['email'] } } }),
  },
  'PUT /v1/members/:id/out-of-office': {
    call: async (fx, _fresh, owner = fx.memberId) => ({
      path: `/v1/members/${owner}/out-of-office`,
      body: { from: new Date().toISOString(), until: new Date(Date.now() + 86_400_000).toISOString(), delegateId: await colleagueOf(fx, owner) },
    }),
  },
  'GET /v1/members/:id/out-of-office': { call: async (fx, _fresh, owner = fx.memberId) => ({ path: `/v1/members/${owner}/out-of-office` }) },
  'DELETE /v1/members/:id/out-of-office': { call: async (fx, _fresh, owner = fx.memberId) => ({ path: `/v1/members/${owner}/out-of-office` }) },
  'POST /v1/members/:id/webhook-secret': { call: async (fx, _fresh, owner = fx.memberId) => ({ path: `/v1/members/${owner}/webhook-secret` }) },
  'GET /v1/briefs/:id/notifications': { call: async (fx) => ({ path: `/v1/briefs/${fx.briefId}/notifications` }) },
  'POST /v1/briefs': {
    call: async (fx) => ({ path: '/v1/briefs', body: { title: unique('Brief'), description: 'Sent by the matrix', partyId: fx.partyA } }),
  },
  'GET /v1/briefs': {
    call: async (fx) => ({ path: `/v1/briefs?partyId=${fx.partyA}&limit=200` }),
    lists: (body, fx) => body.items.some((b: { id: string }) => b.id === fx.briefId),
  },
  'GET /v1/briefs/:id': { call: async (fx) => ({ path: `/v1/briefs/${fx.briefId}` }) },
  'PATCH /v1/briefs/:id': {
    call: async (fx, fresh): Promise<Call> => {
      const id = fresh ? await newBrief(fx) : fx.briefId;
      const etag = (await fx.clients.manager.get(`/v1/briefs/${id}`)).headers.get('etag');
      return { path: `/v1/briefs/${id}`, body: { title: unique('Renamed brief') }, headers: etag ? { 'if-match': etag } : undefined };
    },
  },
  'POST /v1/briefs/:id/acknowledge': { call: action('acknowledge', 'awaiting_ack', { note: 'on it' }) },
  'POST /v1/briefs/:id/decline': { call: action('decline', 'awaiting_ack', { reason: 'No capacity' }) },
  'POST /v1/briefs/:id/clarifications': { call: action('clarifications', 'awaiting_ack', { question: 'Which colours?' }) },
  'POST /v1/briefs/:id/clarifications/answer': { call: action('clarifications/answer', 'clarification_requested', { answer: 'Red and gold' }) },
  'POST /v1/briefs/:id/deliveries': { call: action('deliveries', 'in_progress', { summary: 'First draft', links: ['https://files.example/v1.zip'] }) },
  'POST /v1/briefs/:id/approve': { call: action('approve', 'in_review', { note: 'Ship it' }) },
  'POST /v1/briefs/:id/request-changes': { call: action('request-changes', 'in_review', { reason: 'Bigger logo' }) },
  'POST /v1/briefs/:id/cancel': { call: action('cancel', 'awaiting_ack', { reason: 'Campaign dropped' }) },
  'POST /v1/briefs/:id/comments': { call: action('comments', 'awaiting_ack', { body: 'Looks good so far' }) },
  'POST /v1/briefs/:id/hold': { call: action('hold', 'awaiting_ack', { reason: 'Waiting for photos' }) },
  'POST /v1/briefs/:id/resume': { call: action('resume', 'on_hold', { note: 'Photos are in' }) },
  'GET /v1/program-templates': { call: get('/v1/program-templates') },
  'POST /v1/programs': { call: async (fx) => ({ path: '/v1/programs', body: { name: unique('Program'), briefs: [{ key: 'a', title: 'Matrix', description: 'd', partyId: fx.partyA }] } }) },
  'GET /v1/programs': {
    call: async () => ({ path: '/v1/programs?limit=200' }),
    lists: (body, fx) => body.items.some((p: { id: string }) => p.id === fx.programId),
  },
  'GET /v1/programs/:id': { call: async (fx) => ({ path: `/v1/programs/${fx.programId}` }) },
  'POST /v1/programs/:id/cancel': { call: async (fx, fresh) => ({ path: `/v1/programs/${fresh ? await newProgram(fx) : fx.programId}/cancel`, body: { reason: 'Matrix' } }) },
  'POST /v1/programs/:id/briefs': {
    call: async (fx) => ({ path: `/v1/programs/${fx.programId}/briefs`, body: { key: unique('added'), title: 'Added', description: 'd', partyId: fx.partyA, dependsOn: ['a'] } }),
  },
  'POST /v1/programs/:id/briefs/:key/replace': { call: async (fx) => ({ path: `/v1/programs/${fx.programId}/briefs/a/replace`, body: {} }) },
  'POST /v1/programs/:id/briefs/:key/drop': { call: async (fx) => ({ path: `/v1/programs/${fx.programId}/briefs/a/drop` }) },
  'POST /v1/briefs/:id/reviews': { call: async (fx, fresh) => ({ path: `/v1/briefs/${fresh ? await inReview(fx) : fx.briefId}/reviews`, body: { decision: 'approve', note: 'Ship it' } }) },
  'POST /v1/briefs/:id/reviews/hand-over': {
    call: async (fx, fresh) => ({
      path: `/v1/briefs/${fresh ? await inReview(fx) : fx.briefId}/reviews/hand-over`,
      // The manager's review: the manager hands it over, an admin may do so for them.
      body: { reviewerId: fx.memberIds.manager, to: fresh ? await colleagueOf(fx, fx.memberIds.manager) : fx.memberIds.manager },
    }),
  },
  'GET /v1/escalations': {
    call: async (fx) => ({ path: `/v1/escalations?briefId=${fx.escalation.briefId}&limit=200` }),
    lists: (body, fx) => body.items.some((e: { id: string }) => e.id === fx.escalation.id),
  },
  'POST /v1/escalations/:id/acknowledge': {
    call: async (fx, fresh) => ({ path: `/v1/escalations/${fresh ? (await freshEscalation(fx)).id : fx.escalation.id}/acknowledge` }),
  },
  'GET /v1/escalations/stream': {
    call: async (fx) => ({
      path: `/v1/escalations/stream?briefId=${fx.escalation.briefId}&lastEventId=0`,
      headers: { accept: 'text/event-stream' },
      streamUntil: `"id":"${fx.escalation.id}"`,
    }),
    lists: (body, fx) => typeof body === 'string' && body.includes(`"id":"${fx.escalation.id}"`),
  },
  'GET /v1/reports/scorecards': {
    call: get('/v1/reports/scorecards'),
    lists: (body, fx) => body.scorecards.some((card: { partyId: string }) => card.partyId === fx.partyA),
  },
  'GET /v1/reports/scorecards.csv': {
    call: get('/v1/reports/scorecards.csv'),
    lists: (body) => typeof body === 'string' && body.includes('Pixelwerk'),
  },
  'GET /v1/reports/scorecards/:partyId': { call: async (fx) => ({ path: `/v1/reports/scorecards/${fx.partyA}` }) },
  'GET /v1/reports/scorecards/:partyId.csv': { call: async (fx) => ({ path: `/v1/reports/scorecards/${fx.partyA}.csv` }) },
  'GET /metrics': { call: get('/metrics') },
  'PATCH /v1/parties/:id': { call: async (fx) => ({ path: `/v1/parties/${fx.partyA}`, body: { name: 'Pixelwerk' } }) },
  'POST /v1/calendars': { call: async () => ({ path: '/v1/calendars', body: calendarBody() }) },
  'GET /v1/calendars': { call: get('/v1/calendars') },
  'GET /v1/calendars/:id': { call: async (fx) => ({ path: `/v1/calendars/${fx.calendarId}` }) },
  'PATCH /v1/calendars/:id': { call: async (fx) => ({ path: `/v1/calendars/${fx.calendarId}`, body: { name: unique('Calendar') } }) },
  'POST /v1/calendars/:id/holidays/import': {
    call: async (fx) => ({ path: `/v1/calendars/${fx.calendarId}/holidays/import?untilYear=2030`, body: HOLIDAYS_ICS, headers: { 'content-type': 'text/calendar' } }),
  },
  'POST /v1/sla-policies': { call: async (fx) => ({ path: '/v1/sla-policies', body: policyBody(fx.calendarId) }) },
  'GET /v1/sla-policies': { call: get('/v1/sla-policies') },
  'GET /v1/sla-policies/:id': { call: async (fx) => ({ path: `/v1/sla-policies/${fx.policyId}` }) },
  'PATCH /v1/sla-policies/:id': { call: async (fx) => ({ path: `/v1/sla-policies/${fx.policyId}`, body: { name: unique('Policy') } }) },
  'GET /v1/sla-policies/:id/preview': { call: async (fx) => ({ path: `/v1/sla-policies/${fx.policyId}/preview?priority=P2` }) },
  'POST /v1/sla-policies/:id/apply-to-running': { call: async (fx) => ({ path: `/v1/sla-policies/${fx.policyId}/apply-to-running` }) },
  'GET /v1/sla-policies/:id/applications/:applicationId': { call: async (fx) => ({ path: await policyApplication(fx) }) },
};

async function setUpDirectory(handoff: TestHandoff): Promise<Fixture> {
  const url = handoff.url;
  const prisma = handoff.db.prisma;
  const admin = apiClient(url, ADMIN_KEY);
  const party = async (name: string, kind: string) => (await created(admin.post('/v1/parties', { name, kind }), `party ${name}`)).id as string;
  const member = async (partyId: string, name: string, role: Role, isLead = false) => {
    const body = await created(admin.post(`/v1/parties/${partyId}/members`, { name, email: `${name.toLowerCase()}@example.com`, role, isLead }), `member ${name}`);
    const key = await created(admin.post(`/v1/members/${body.id}/api-keys`, {}), `a key for ${name}`);
    return { id: body.id as string, key: key.key as string, client: apiClient(url, key.key as string) };
  };
  const shop = await party('Shop', 'ecommerce');
  const partyA = await party('Pixelwerk', 'agency');
  const partyB = await party('Northstar', 'agency');
  const manager = await member(shop, 'Mara', 'manager');
  const ecommerceWatcher = await member(shop, 'Tom', 'watcher');
  const own = await member(partyA, 'Paula', 'member', true);
  const agencyWatcher = await member(partyA, 'Wanda', 'watcher');
  const otherWatcher = await member(partyB, 'Otto', 'watcher');
  const otherMember = await member(partyB, 'Nora', 'member', true);
  const fx: Fixture = {
    url,
    keys: {
      anonymous: undefined,
      admin: ADMIN_KEY,
      manager: manager.key,
      ecommerceWatcher: ecommerceWatcher.key,
      agencyWatcher: agencyWatcher.key,
      otherWatcher: otherWatcher.key,
      member: own.key,
      otherMember: otherMember.key,
    },
    clients: {
      anonymous: apiClient(url),
      admin,
      manager: manager.client,
      ecommerceWatcher: ecommerceWatcher.client,
      agencyWatcher: agencyWatcher.client,
      otherWatcher: otherWatcher.client,
      member: own.client,
      otherMember: otherMember.client,
    },
    partyA,
    memberId: own.id,
    memberIds: {
      admin: (await created(admin.get('/v1/me'), "the admin's record")).id as string,
      manager: manager.id,
      ecommerceWatcher: ecommerceWatcher.id,
      agencyWatcher: agencyWatcher.id,
      otherWatcher: otherWatcher.id,
      member: own.id,
      otherMember: otherMember.id,
    },
    briefId: '',
    programId: '',
    escalation: { id: '', briefId: '' },
    escalationPool: [],
    calendarId: '',
    policyId: '',
    acknowledgeLink: async (briefId) =>
      createActionLink(prisma, {
        secret: await loadActionLinkSecret(prisma, handoff.config.actionLinks.secret),
        publicUrl: '',
        notificationId: randomUUID(),
        briefId,
        memberId: own.id,
        action: 'acknowledge',
        ttlMs: 3_600_000,
      }),
    viewLink: async (briefId) =>
      createActionLink(prisma, {
        secret: await loadActionLinkSecret(prisma, handoff.config.actionLinks.secret),
        publicUrl: '',
        notificationId: randomUUID(),
        briefId,
        memberId: own.id,
        action: 'view',
        ttlMs: 3_600_000,
      }),
  };
  fx.calendarId = (await created(admin.post('/v1/calendars', calendarBody()), 'a calendar')).id as string;
  fx.policyId = (await created(admin.post('/v1/sla-policies', policyBody(fx.calendarId)), 'an SLA policy')).id as string;
  fx.briefId = await newBrief(fx);
  fx.programId = await newProgram(fx);
  // Escalations take a second or more to be raised: start them together.
  const allowedAcks = CALLERS.filter((c) => isAllowed(ruleOf('POST /v1/escalations/:id/acknowledge').expect[c])).length;
  const escalations = Array.from({ length: allowedAcks + 1 }, () => escalate(fx));
  escalations.forEach((p) => p.catch(() => undefined)); // awaited below or by the calls that take them
  fx.escalation = await escalations[0];
  fx.escalationPool = escalations.slice(1);
  return fx;
}

/** Sends one cell's request as the caller; bodies go with every method but GET. */
function send(fx: Fixture, caller: CallerKind, rule: Rule, call: Call): Promise<ApiResponse> {
  if (call.streamUntil !== undefined) return readStream(fx, caller, call, call.streamUntil);
  return fx.clients[caller].request(rule.method, call.path, call.body ?? (rule.method === 'GET' ? undefined : {}), call.headers);
}

/** A GET whose successful answer is an endless event stream: its text once it shows `until`, or after a second. */
async function readStream(fx: Fixture, caller: CallerKind, call: Call, until: string): Promise<ApiResponse> {
  const key = fx.keys[caller];
  const controller = new AbortController();
  const response = await fetch(`${fx.url}${call.path}`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...call.headers }, signal: controller.signal });
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }
  const timer = setTimeout(() => controller.abort(), 1_000);
  let text = '';
  try {
    for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      if (text.includes(until)) break;
    }
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { status: response.status, body: text, headers: response.headers };
}

const isAllowed = (outcome: Outcome) => outcome === 'allowed' || outcome === 'lists' || outcome === 'hides';

function ruleOf(route: RouteKey): Rule {
  const found = MATRIX.find((r) => r.route === route);
  if (!found) throw new Error(`no rule for ${route}`);
  return found;
}

/** What is wrong with one answer, or undefined when it is the expected one. */
function judge(rule: Rule, outcome: Outcome, res: ApiResponse, fx: Fixture): string | undefined {
  const got = `${res.status} ${typeof res.body === 'object' ? JSON.stringify(res.body).slice(0, 200) : ''}`;
  if (typeof outcome === 'number') {
    if (res.status !== outcome) return `expected ${outcome}, got ${got}`;
    if (!res.headers.get('content-type')?.includes('application/problem+json')) return `expected a problem+json ${outcome}, got ${res.headers.get('content-type')}`;
    return undefined;
  }
  if (!rule.allowed.includes(res.status)) return `expected ${outcome} (${rule.allowed.join('/')}), got ${got}`;
  if (outcome === 'allowed') return undefined;
  const lists = RECIPES[rule.route as RouteKey].lists;
  if (!lists) return `${outcome} needs a recipe with lists()`;
  const listed = lists(res.body, fx);
  if (outcome === 'lists' && !listed) return "expected the list to contain party A's object, it does not";
  if (outcome === 'hides' && listed) return "expected the list to leave out party A's object, it contains it";
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The routes of an app, from its catalog and from Express's router stack.

interface Layer {
  name: string;
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

interface Found {
  routes: Set<string>;
  mounts: Set<string>;
}

function walkStack(stack: Layer[], prefix: string, found: Found): void {
  for (const layer of stack) {
    const mountPath = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
    if (layer.route) {
      const path = layer.route.path;
      if (typeof path !== 'string') throw new Error(`route with a non-string path: ${String(path)}; give it a rule by hand`);
      for (const method of Object.keys(layer.route.methods)) found.routes.add(`${method === '_all' ? 'ALL' : method.toUpperCase()} ${prefix}${path}`);
    } else if (layer.handle.stack) {
      walkStack(layer.handle.stack, prefix + mountPath, found);
    } else if (mountPath) {
      found.mounts.add(prefix + mountPath);
    } else if (typeof layer.rawPath !== 'string') {
      throw new Error(`middleware ${layer.name} mounted on a non-string path: ${String(layer.rawPath)}`);
    }
  }
}

const difference = (a: Iterable<string>, b: Iterable<string>) => {
  const minus = new Set(b);
  return [...new Set(a)].filter((x) => !minus.has(x)).sort();
};

describe('the authorisation matrix', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let fx: Fixture;
  let catalogRoutes: { route: string; roles: readonly Role[] | 'public' }[];
  let mounted: Found;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { HANDOFF_RATE_LIMIT: '1000000' } });
    // The running server keeps its app to itself; an app built from the same parts has the same routes.
    const app = createApp({ db: handoff.db, temporal: handoff.temporal.client, config: handoff.config, logger: createLogger('silent') });
    catalogRoutes = app.catalog.routes.map((r) => ({ route: `${r.method.toUpperCase()} ${r.path}`, roles: r.roles }));
    mounted = { routes: new Set(), mounts: new Set() };
    walkStack((app.router as unknown as { stack: Layer[] }).stack, '', mounted);
    fx = await setUpDirectory(handoff);
  }, 120_000);

  afterAll(async () => {
    // The pool may still hold escalations being raised.
    await Promise.allSettled(fx?.escalationPool ?? []);
    await handoff?.cleanup();
    await env?.teardown();
  });

  test('has a rule for every route of the app, and no rule for a route it does not have', async () => {
    const rules = MATRIX.map((r) => r.route as string);
    expect(rules.filter((r, i) => rules.indexOf(r) !== i)).toEqual([]);

    const documented = catalogRoutes.map((r) => r.route);
    expect(documented.length).toBeGreaterThan(20);
    // Every documented route is mounted, and the walk finds more than the catalog (/docs/init.js).
    expect(difference(documented, mounted.routes)).toEqual([]);
    const appRoutes = new Set([...documented, ...mounted.routes]);

    expect({ routesWithoutRule: difference(appRoutes, rules) }).toEqual({ routesWithoutRule: [] });
    const pending = MATRIX.filter((r) => r.pending !== undefined).map((r) => r.route as string);
    expect({ rulesWithoutRoute: difference(rules, [...appRoutes, ...pending]) }).toEqual({ rulesWithoutRoute: [] });

    expect({ mountsWithoutRule: difference(mounted.mounts, MOUNTS.map((m) => m.path)) }).toEqual({ mountsWithoutRule: [] });
    expect({ rulesWithoutMount: difference(MOUNTS.map((m) => m.path), mounted.mounts) }).toEqual({ rulesWithoutMount: [] });

    // The running server documents the same routes as the app built here.
    const document = (await fx.clients.anonymous.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(documented.map((r) => r.replace(/ (.*)$/, (_m, path: string) => ` ${openApiPath(path)}`)).sort());
  });

  test('allows exactly the roles each route declares', () => {
    const roleOf: Record<Exclude<CallerKind, 'anonymous'>, Role> = {
      admin: 'admin',
      manager: 'manager',
      ecommerceWatcher: 'watcher',
      agencyWatcher: 'watcher',
      otherWatcher: 'watcher',
      member: 'member',
      otherMember: 'member',
    };
    const disagreements: string[] = [];
    for (const { route, roles } of catalogRoutes) {
      const rule = MATRIX.find((r) => r.route === route);
      if (!rule) continue; // reported by the coverage test
      const allowed = CALLERS.filter((c) => isAllowed(rule.expect[c]));
      if (roles === 'public') {
        if (allowed.length !== CALLERS.length) disagreements.push(`${route} is public, the matrix refuses ${CALLERS.filter((c) => !allowed.includes(c)).join(', ')}`);
        continue;
      }
      const byMatrix = [...new Set([...(rule.self === 'allowed' ? Object.values(roleOf) : allowed.map((c) => roleOf[c as Exclude<CallerKind, 'anonymous'>])), ...(rule.named ?? [])])].sort();
      if (rule.expect.anonymous !== 401) disagreements.push(`${route} needs a key, the matrix expects ${rule.expect.anonymous} for anonymous`);
      if (byMatrix.join() !== [...roles].sort().join()) disagreements.push(`${route} declares ${[...roles].sort().join(', ')}, the matrix allows ${byMatrix.join(', ')}`);
    }
    expect(disagreements).toEqual([]);
  });

  test('gives outsiders 404 for every object of party A, never 403', () => {
    const shared: readonly (string | null)[] = SHARED_OBJECTS;
    const objectRules = MATRIX.filter((r) => r.object !== null && !shared.includes(r.object));
    expect(new Set(objectRules.map((r) => r.object))).toEqual(new Set(['party', 'member', 'key', 'brief', 'escalation', 'program']));
    const not404 = objectRules.flatMap((r) => OUTSIDERS.filter((c) => r.expect[c] !== 404).map((c) => `${r.route} for ${c}: ${r.expect[c]}`));
    expect(not404).toEqual([]);
  });

  describe.each(MATRIX.map((r) => [r.route, r] as const))('%s', (route, rule) => {
    test('answers every kind of caller as the matrix says', async () => {
      const present = catalogRoutes.some((r) => r.route === route) || mounted.routes.has(route);
      if (!present && rule.pending !== undefined) return; // not mounted yet: see the rule's `pending`
      const recipe = RECIPES[route];
      const problems: string[] = [];
      for (const caller of CALLERS) {
        const outcome = rule.expect[caller];
        const call = await recipe.call(fx, isAllowed(outcome));
        const res = await send(fx, caller, rule, call);
        const problem = judge(rule, outcome, res, fx);
        if (problem) problems.push(`${caller}: ${rule.method} ${call.path}: ${problem}`);
      }
      expect(problems).toEqual([]);
    });

    if (rule.self === undefined) return;
    test('lets every caller with a key do it on their own record', async () => {
      const problems: string[] = [];
      for (const caller of CALLERS) {
        if (caller === 'anonymous') continue;
        const call = await RECIPES[route].call(fx, true, fx.memberIds[caller]);
        const res = await send(fx, caller, rule, call);
        const problem = judge(rule, 'allowed', res, fx);
        if (problem) problems.push(`${caller}: ${rule.method} ${call.path}: ${problem}`);
      }
      expect(problems).toEqual([]);
    });
  });

  describe.each(MOUNTS.map((m) => [m.path, m] as const))('the middleware mounted on %s', (_path, mount) => {
    test('answers every kind of caller as the matrix says', async () => {
      const problems: string[] = [];
      for (const caller of CALLERS) {
        const res = await fx.clients[caller].get(mount.probe);
        if (res.status !== mount.expect[caller]) problems.push(`${caller}: GET ${mount.probe}: expected ${mount.expect[caller]}, got ${res.status}`);
      }
      expect(problems).toEqual([]);
    });
  });
});
