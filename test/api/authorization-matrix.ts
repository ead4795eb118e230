// Who may call what, as data: for every route of the API and every kind of caller, the answer
// expected when the route addresses an object of party A (an agency that briefs are sent to).
// authorization-matrix.test.ts walks the whole table against the running API, and fails for a
// route that has no rule here as much as for a rule whose route is gone.
import type { Role } from '../../workflows/domain/vocabulary';

/**
 * The kinds of caller. `member` and `agencyWatcher` belong to party A, the party every object
 * in the table belongs to; `member` is also the member whose API keys the key routes address
 * (so it is "the member themself" there, and `agencyWatcher` a colleague who is not).
 * `otherWatcher` and `otherMember` belong to another agency. Admin, manager and the e-commerce
 * watcher belong to the e-commerce team, which sees every party.
 */
export const CALLERS = ['anonymous', 'admin', 'manager', 'ecommerceWatcher', 'agencyWatcher', 'otherWatcher', 'member', 'otherMember'] as const;
export type CallerKind = (typeof CALLERS)[number];

/** The callers that belong to neither party A nor the e-commerce team. */
export const OUTSIDERS = ['otherWatcher', 'otherMember'] as const satisfies readonly CallerKind[];

/**
 * - 401, 403, 404: exactly that status, as problem+json.
 * - 'allowed': one of the rule's `allowed` statuses.
 * - 'lists' / 'hides': allowed, and the answer (a list) does / does not contain party A's object.
 */
export type Outcome = 401 | 403 | 404 | 'allowed' | 'lists' | 'hides';

/**
 * The object a route addresses by its path; `null` for collections and public routes. Party A's
 * objects, and the shared ones (calendars, SLA policies) that belong to no party.
 */
export type ObjectKind = 'party' | 'member' | 'key' | 'brief' | 'escalation' | 'program' | SharedObjectKind;
export const SHARED_OBJECTS = ['calendar', 'policy'] as const;
export type SharedObjectKind = (typeof SHARED_OBJECTS)[number];

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface Rule<R extends string = string> {
  /** `METHOD /express/path`, e.g. `POST /v1/briefs/:id/approve`. */
  route: R;
  method: Method;
  path: string;
  object: ObjectKind | null;
  /**
   * The statuses that count as 'allowed'. The test sends valid bodies to objects in a state
   * where the action is legal, so these are the success statuses; a business status appears
   * here only where the route answers it after the caller has passed every authorisation check.
   */
  allowed: readonly number[];
  expect: Record<CallerKind, Outcome>;
  /** Why the row says what it says, where the route's declaration does not make it obvious. */
  why?: string;
  /**
   * For routes on a member's own record (their API keys): 'allowed' when every caller with a key
   * may do this to themself, whatever their role. The test then also calls it once per caller on
   * the caller's own record.
   */
  self?: 'allowed';
  /**
   * Roles the route also declares for callers the object itself names (the members an escalation's
   * level names by id); the table's objects name no one, so no column shows them allowed.
   */
  named?: readonly Role[];
  /** Set while the route is being added elsewhere: the rule is walked once the route is mounted, skipped until then. */
  pending?: string;
}

/** A middleware mounted on a path that is not a route (a static folder, the /v1 guards), and how to probe it. */
export interface Mount {
  path: string;
  /** A GET path under the mount. */
  probe: string;
  expect: Record<CallerKind, number>;
  why: string;
}

type Row = readonly [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome];

/** A row of the table, in the order of CALLERS. */
function row(outcomes: Row): Record<CallerKind, Outcome> {
  return Object.fromEntries(CALLERS.map((caller, i) => [caller, outcomes[i]])) as Record<CallerKind, Outcome>;
}

function rule<R extends `${Method} /${string}`>(route: R, object: ObjectKind | null, allowed: readonly number[], outcomes: Row, extra: { why?: string; self?: 'allowed'; named?: readonly Role[]; pending?: string } = {}): Rule<R> {
  const [method, path] = route.split(' ') as [Method, string];
  return { route, method, path, object, allowed, expect: row(outcomes), ...extra };
}

const A = 'allowed';

// Rows, in the order of CALLERS: anonymous, admin, manager, ecommerceWatcher, agencyWatcher, otherWatcher, member, otherMember.
const PUBLIC: Row = [A, A, A, A, A, A, A, A];
const ANY_KEY: Row = [401, A, A, A, A, A, A, A];
const ADMIN_ONLY: Row = [401, A, 403, 403, 403, 403, 403, 403];
const MANAGER_ONLY: Row = [401, 403, A, 403, 403, 403, 403, 403];
/** Party A's objects: everyone who sees party A reads them; outsiders get 404, as if they did not exist. */
const READ_A: Row = [401, A, A, A, A, 404, A, 404];
/**
 * Admin-only acts on an object of party A: 403 for those who see party A, 404 for outsiders,
 * also where their role could not act anyway (the issue: "a member of one party gets 404 for
 * every object of another party").
 */
const ADMIN_ACT_ON_A: Row = [401, A, 403, 403, 403, 404, 403, 404];
/** A member's keys: admins and the member themself; 403 for others who see the party, 404 for outsiders. */
const KEYS_OF_MEMBER: Row = [401, A, 403, 403, 403, 404, A, 404];
/** Shared configuration (calendars, SLA policies): admins, managers and every watcher read it; members do not. */
const READ_SHARED: Row = [401, A, A, A, A, A, 403, 403];
/** Brief actions of the receiving party's members. */
const MEMBER_ACTION: Row = [401, 403, 403, 403, 403, 404, A, 404];
/** Brief actions (and edits) of the e-commerce team's managers. */
const MANAGER_ACTION: Row = [401, 403, A, 403, 403, 404, 403, 404];
/** Decisions of a review plan's reviewers, who are managers and admins. */
const REVIEWER_ACTION: Row = [401, A, A, 403, 403, 404, 403, 404];

export const MATRIX = [
  // Operations: no key needed, the same answer for everyone.
  rule('GET /', null, [200], PUBLIC),
  // The web app's pages (its index.html; the app then signs in and reads through /v1) and its files.
  rule('GET /board', null, [200], PUBLIC),
  rule('GET /inbox', null, [200], PUBLIC),
  rule('GET /briefs/new', null, [200], PUBLIC),
  rule('GET /briefs/:id', null, [200], PUBLIC),
  rule('GET /programs', null, [200], PUBLIC),
  rule('GET /programs/:id', null, [200], PUBLIC),
  rule('GET /escalations', null, [200], PUBLIC),
  rule('GET /admin', null, [200], PUBLIC),
  rule('GET /admin/:section', null, [200], PUBLIC),
  rule('GET /settings', null, [200], PUBLIC),
  rule('GET /reports', null, [200], PUBLIC),
  rule('GET /reports/:partyId', null, [200], PUBLIC),
  rule('GET /signin', null, [200], PUBLIC),
  rule('GET /signin/:token', null, [200], PUBLIC),
  rule('GET /assets/:file', null, [200], PUBLIC, { why: 'A file of the web app (script, styles): public like the page that names it.' }),
  rule('GET /healthz', null, [200], PUBLIC),
  rule('GET /openapi.json', null, [200], PUBLIC),
  rule('GET /docs', null, [200], PUBLIC),
  rule('GET /docs/init.js', null, [200], PUBLIC, { why: "The /docs page's script; a plain Express route, not in the catalog." }),
  // One-click links from emails: HTML pages outside /v1, the signed link is the credential.
  rule('GET /actions/:token', null, [200], PUBLIC, { why: "No key: whoever holds the link sees its confirmation page (the test opens a valid link of party A's member)." }),
  rule('POST /actions/:token', null, [200], PUBLIC, {
    why: 'No key: whoever holds the link acts, once, as the member it was made for; the test posts a fresh link each time.',
  }),
  rule('GET /view/:token', null, [200], PUBLIC, {
    why: "No key: whoever holds the link reads the brief as the member it was sent to may see it now (the test opens a view link of party A's member).",
  }),

  // Signing in to the web app; web-sessions.test.ts tests the cookie, its CSRF rules and its end.
  rule('POST /v1/session/sign-in-link', null, [202], PUBLIC, { why: "No key: anyone may ask for a link, and the answer does not say whether the address is a member's." }),
  rule('POST /v1/session', null, [201], PUBLIC, {
    why: "No key: the body holds the credential (a sign-in link's token or an API key); the test signs in with a new key of party A's member each time.",
  }),
  rule('GET /v1/session', null, [200], ANY_KEY, { why: 'The session cookie or a key; a key has no CSRF token.' }),
  rule('DELETE /v1/session', null, [204], ANY_KEY, { why: 'Signs out; with a key there is no session, and nothing ends.' }),

  // Directory.
  rule('GET /v1/me', null, [200], ANY_KEY),
  rule('POST /v1/parties', null, [201], ADMIN_ONLY),
  rule('GET /v1/parties', null, [200], [401, 'lists', 'lists', 'lists', 'lists', 'hides', 'lists', 'hides'], {
    why: 'Everyone lists parties; outsiders see their own party only.',
  }),
  rule('GET /v1/parties/:id', 'party', [200], READ_A),
  rule('PATCH /v1/parties/:id', 'party', [200], ADMIN_ACT_ON_A),
  rule('GET /v1/parties/:id/members', 'party', [200], READ_A),
  rule('POST /v1/parties/:id/members', 'party', [201], ADMIN_ACT_ON_A),
  rule('PATCH /v1/members/:id', 'member', [200], ADMIN_ACT_ON_A, { why: "Admins edit a member's name, locale and watcher scope." }),
  rule('POST /v1/members/:id/deactivate', 'member', [200], ADMIN_ACT_ON_A, { why: 'Offboarding is for admins; the test deactivates a member of its own.' }),
  rule('POST /v1/members/:id/reactivate', 'member', [200], ADMIN_ACT_ON_A),
  rule('GET /v1/members/:id/open-responsibilities', 'member', [200], [401, A, A, 403, 403, 404, 403, 404], {
    why: "Admins and managers, who reassign a leaving member's briefs.",
  }),
  rule('GET /v1/audit', null, [200], ADMIN_ONLY),
  rule('GET /v1/admin/activity-failures', null, [200], ADMIN_ONLY),
  rule('POST /v1/admin/reconcile', null, [200, 202], ADMIN_ONLY),

  // API keys of party A's member (and, where `self` says so, of every caller on their own keys).
  // Creating a key is for admins only, also for oneself (the route declares admin).
  rule('POST /v1/members/:id/api-keys', 'member', [201], ADMIN_ACT_ON_A),
  rule('GET /v1/members/:id/api-keys', 'member', [200], KEYS_OF_MEMBER, { self: 'allowed' }),
  rule('POST /v1/members/:id/api-keys/:keyId/revoke', 'key', [200], KEYS_OF_MEMBER, { self: 'allowed' }),
  rule('POST /v1/members/:id/api-keys/:keyId/rotate', 'key', [201], KEYS_OF_MEMBER, { self: 'allowed' }),

  // Notification settings of party A's member: like their keys, the member's own and admins'.
  rule('GET /v1/members/:id/notification-preferences', 'member', [200], KEYS_OF_MEMBER, { self: 'allowed' }),
  rule('PUT /v1/members/:id/notification-preferences', 'member', [200], KEYS_OF_MEMBER, { self: 'allowed' }),
  rule('POST /v1/members/:id/webhook-secret', 'member', [201], KEYS_OF_MEMBER, { self: 'allowed' }),
  // Out of office: like notification settings, the member's own and admins'.
  rule('PUT /v1/members/:id/out-of-office', 'member', [200], KEYS_OF_MEMBER, { self: 'allowed' }),
  rule('GET /v1/members/:id/out-of-office', 'member', [200], KEYS_OF_MEMBER, { self: 'allowed' }),
  rule('DELETE /v1/members/:id/out-of-office', 'member', [204], KEYS_OF_MEMBER, { self: 'allowed' }),

  // Briefs sent to party A.
  rule('POST /v1/briefs', null, [201], MANAGER_ONLY, { why: 'The route declares manager only: admins get 403 too.' }),
  rule('GET /v1/briefs', null, [200], [401, 'lists', 'lists', 'lists', 'lists', 'hides', 'lists', 'hides'], {
    why: "Outsiders asking for party A's briefs by ?partyId= get an empty list.",
  }),
  rule('GET /v1/briefs/:id', 'brief', [200], READ_A),
  rule('GET /v1/briefs/:id/notifications', 'brief', [200], READ_A),
  rule('PATCH /v1/briefs/:id', 'brief', [200], MANAGER_ACTION, {
    why: "Managers edit a brief. The test sends every caller the brief's current ETag as If-Match, so a precondition (412/428) decides nothing here.",
  }),
  rule('POST /v1/briefs/:id/acknowledge', 'brief', [200], MEMBER_ACTION),
  rule('POST /v1/briefs/:id/decline', 'brief', [200], MEMBER_ACTION),
  rule('POST /v1/briefs/:id/clarifications', 'brief', [200], MEMBER_ACTION),
  rule('POST /v1/briefs/:id/clarifications/answer', 'brief', [200], MANAGER_ACTION),
  rule('POST /v1/briefs/:id/deliveries', 'brief', [200], MEMBER_ACTION),
  rule('POST /v1/briefs/:id/approve', 'brief', [200], MANAGER_ACTION),
  rule('POST /v1/briefs/:id/request-changes', 'brief', [200], MANAGER_ACTION),
  rule('POST /v1/briefs/:id/cancel', 'brief', [200], MANAGER_ACTION),
  rule('POST /v1/briefs/:id/comments', 'brief', [200], [401, 403, A, 403, 403, 404, A, 404], {
    why: "Managers and the receiving party's members talk on a brief; watchers and admins only read.",
  }),
  rule('POST /v1/briefs/:id/hold', 'brief', [200], MANAGER_ACTION),
  rule('POST /v1/briefs/:id/resume', 'brief', [200], MANAGER_ACTION),
  rule('POST /v1/briefs/:id/reviews', 'brief', [200], REVIEWER_ACTION, {
    why: "Reviewers are managers and admins; the test's brief has a review plan naming the admin and the manager.",
  }),
  rule('POST /v1/briefs/:id/reviews/hand-over', 'brief', [200], REVIEWER_ACTION, {
    why: "The test's brief has a review plan naming the admin and the manager; the manager's review goes to a new colleague of theirs, handed over by the manager or by an admin for them.",
  }),

  // Programs with a brief of party A.
  rule('GET /v1/program-templates', null, [200], [401, A, A, A, A, A, 403, 403], { why: 'Those who start or follow programs: managers, admins and watchers.' }),
  rule('POST /v1/programs', null, [201], MANAGER_ONLY),
  rule('GET /v1/programs', null, [200], [401, 'lists', 'lists', 'lists', 'lists', 'hides', 'lists', 'hides'], {
    why: "A party's members and watchers list the programs with a brief of theirs; outsiders do not see party A's.",
  }),
  rule('GET /v1/programs/:id', 'program', [200], READ_A),
  rule('POST /v1/programs/:id/cancel', 'program', [200], REVIEWER_ACTION, { why: 'Managers and admins change programs; the test cancels a program of its own.' }),
  rule('POST /v1/programs/:id/briefs', 'program', [200], REVIEWER_ACTION),
  rule('POST /v1/programs/:id/briefs/:key/replace', 'program', [409], REVIEWER_ACTION, {
    why: "The program's brief runs: those who pass every check get 409 (only a declined or cancelled brief is replaced).",
  }),
  rule('POST /v1/programs/:id/briefs/:key/drop', 'program', [409], REVIEWER_ACTION, { why: "The program's brief runs: those who pass every check get 409." }),

  // Escalations of party A's briefs.
  rule('GET /v1/escalations', null, [200], [401, 'lists', 'lists', 'lists', 'lists', 'hides', 403, 403], {
    why: 'The escalation feed is for managers, watchers and admins; an agency watcher sees its own party only.',
  }),
  rule('POST /v1/escalations/:id/acknowledge', 'escalation', [200], [401, A, A, A, 403, 404, 403, 404], {
    why: "The e-commerce team (admins, managers, watchers of scope all) acknowledges; party A's own watcher and member see the escalation but cannot silence their party's chain (403); outsiders 404. A member the escalation's level names acknowledges too (escalation-feed.test.ts); this one names no one.",
    named: ['member'],
  }),
  rule('GET /v1/escalations/stream', null, [200], [401, 'lists', 'lists', 'lists', 'lists', 'hides', 403, 403], {
    why: 'The live feed answers as the list does; the test replays it from the start (?lastEventId=0) and reads it for a moment.',
  }),
  // Scorecards: party A's briefs, counted.
  rule('GET /v1/reports/scorecards', null, [200], [401, 'lists', 'lists', 'lists', 'lists', 'hides', 'lists', 'hides'], {
    why: "Everyone reads scorecards; those who do not see every party get their own party's only, so outsiders' lists leave out party A.",
  }),
  rule('GET /v1/reports/scorecards.csv', null, [200], [401, 'lists', 'lists', 'lists', 'lists', 'hides', 'lists', 'hides'], {
    why: 'The list as CSV: the same rows.',
  }),
  rule('GET /v1/reports/scorecards/:partyId', 'party', [200], READ_A),
  rule('GET /v1/reports/scorecards/:partyId.csv', 'party', [200], READ_A),
  rule('GET /metrics', null, [200], [401, A, A, A, 403, 403, 403, 403], {
    why: 'Outside /v1 but with the same keys. The numbers span every party: admins, managers and watchers of scope all (the e-commerce watcher) only.',
  }),

  // Calendars and SLA policies: shared configuration of no party, so outsiders are no different.
  rule('POST /v1/calendars', null, [201], ADMIN_ONLY),
  rule('GET /v1/calendars', null, [200], READ_SHARED),
  rule('GET /v1/calendars/:id', 'calendar', [200], READ_SHARED),
  rule('PATCH /v1/calendars/:id', 'calendar', [200], ADMIN_ONLY),
  rule('POST /v1/calendars/:id/holidays/import', 'calendar', [200], ADMIN_ONLY),
  rule('POST /v1/sla-policies', null, [201], ADMIN_ONLY),
  rule('GET /v1/sla-policies', null, [200], READ_SHARED),
  rule('GET /v1/sla-policies/:id', 'policy', [200], READ_SHARED),
  rule('PATCH /v1/sla-policies/:id', 'policy', [200], ADMIN_ONLY),
  rule('GET /v1/sla-policies/:id/preview', 'policy', [200], READ_SHARED),
  rule('POST /v1/sla-policies/:id/apply-to-running', 'policy', [202], ADMIN_ONLY),
  rule('GET /v1/sla-policies/:id/applications/:applicationId', 'policy', [200], ADMIN_ONLY),
] as const;

export type RouteKey = (typeof MATRIX)[number]['route'];

export const MOUNTS: readonly Mount[] = [
  {
    path: '/docs/assets',
    probe: '/docs/assets/swagger-ui.css',
    expect: { anonymous: 200, admin: 200, manager: 200, ecommerceWatcher: 200, agencyWatcher: 200, otherWatcher: 200, member: 200, otherMember: 200 },
    why: "Swagger UI's files, public like /docs.",
  },
  {
    path: '/v1',
    probe: '/v1/no-such-route',
    expect: { anonymous: 401, admin: 404, manager: 404, ecommerceWatcher: 404, agencyWatcher: 404, otherWatcher: 404, member: 404, otherMember: 404 },
    why: 'Authentication, the rate limit and Idempotency-Key guard everything under /v1, so even an unknown path needs a key.',
  },
];
