// The read-only page behind the "Open the brief" link of emails and chat messages
// (/view/<token>): no API key, the signed view link is the credential, bound to the member and
// the brief it was sent for. It expires like the action links but works any number of times. It
// shows the brief from the read model as it is now, in the member's language and time zone, and
// the one-click actions the member may take now, each an action link (/actions/<token>) that
// goes through the confirmation page. Whether the member may still see the brief is checked on
// every visit.
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { createActionLink, linkExpiresAt, verifyActionToken, type LinkAction } from '../../services/action-links';
import type { PrismaClient } from '../../lib/db/database';
import { escapeHtml, formatInstant, localeOf, safeHref, STATUS_LABEL, type Locale } from '../../lib/i18n';
import type { Logger } from '../../lib/logger';
import { memberTimeZone } from '../../services/member-zone';
import { decodeSnapshot } from '../../services/snapshot';
import type { BriefState } from '../../workflows/domain/brief';
import { CLOCKS, type ClockName, type Role } from '../../workflows/domain/vocabulary';
import { checkAction } from '../../workflows/domain/transitions';
import { canSeeParty } from '../auth';
import type { ApiDeps } from '../context';
import type { RouteCatalog } from '../openapi/route';
import { chain, failurePage, requestLocale, sendHtmlPage, unexpectedFailure, type Failure } from './link-pages';

const TEXT = {
  en: {
    party: 'Party',
    status: 'Status',
    onHold: 'on hold',
    priority: 'Priority',
    description: 'Description',
    deliverables: 'Deliverables',
    deadlines: 'Deadlines',
    due: { acknowledge: 'Acknowledgement due', deliver: 'Delivery due', review: 'Review due' } satisfies Record<ClockName, string>,
    paused: 'paused',
    overdue: 'overdue',
    question: 'Open question',
    asked: (who: string, at: string) => `Asked by ${who} on ${at}`,
    deliveries: 'Deliveries',
    version: (n: number) => `Version ${n}`,
    submitted: (who: string, at: string) => `delivered by ${who} on ${at}`,
    links: 'Links',
    actions: 'What you can do now',
    button: { acknowledge: 'Acknowledge', approve: 'Approve', requestChanges: 'Request changes' } satisfies Record<LinkAction, string>,
    footer: (who: string, at: string, until: string) => `Read-only view for ${who}, as of ${at}. This link works until ${until}.`,
    unknown: 'someone no longer in Handoff',
  },
  de: {
    party: 'Partner',
    status: 'Status',
    onHold: 'pausiert',
    priority: 'Priorität',
    description: 'Beschreibung',
    deliverables: 'Lieferumfang',
    deadlines: 'Fristen',
    due: { acknowledge: 'Bestätigung fällig', deliver: 'Lieferung fällig', review: 'Prüfung fällig' } satisfies Record<ClockName, string>,
    paused: 'angehalten',
    overdue: 'überfällig',
    question: 'Offene Rückfrage',
    asked: (who: string, at: string) => `Gestellt von ${who} am ${at}`,
    deliveries: 'Lieferungen',
    version: (n: number) => `Version ${n}`,
    submitted: (who: string, at: string) => `geliefert von ${who} am ${at}`,
    links: 'Links',
    actions: 'Was Sie jetzt tun können',
    button: { acknowledge: 'Bestätigen', approve: 'Freigeben', requestChanges: 'Änderungen anfordern' } satisfies Record<LinkAction, string>,
    footer: (who: string, at: string, until: string) => `Nur-Lese-Ansicht für ${who}, Stand ${at}. Dieser Link gilt bis ${until}.`,
    unknown: 'jemandem, der nicht mehr in Handoff ist',
  },
} as const;

/** The actions a link may carry, in the order their buttons appear. */
const PAGE_ACTIONS: readonly LinkAction[] = ['acknowledge', 'approve', 'requestChanges'];

interface Viewer {
  id: string;
  name: string;
  role: Role;
  partyId: string;
  locale: Locale;
  timeZone: string;
}

interface PageModel {
  viewer: Viewer;
  state: BriefState;
  partyName: string;
  /** Member id -> "Name (Party)", for the people the page names. */
  people: Map<string, string>;
  actions: { action: LinkAction; url: string }[];
  now: number;
  linkExpiresAt: number;
}

function renderBriefPage(m: PageModel): { title: string; body: string } {
  const { viewer, state } = m;
  const { brief } = state;
  const t = TEXT[viewer.locale];
  const e = escapeHtml;
  const when = (iso: string | number) => formatInstant(typeof iso === 'number' ? new Date(iso).toISOString() : iso, viewer.locale, viewer.timeZone);
  const who = (memberId: string) => m.people.get(memberId) ?? t.unknown;
  const row = (label: string, valueHtml: string) => `<tr><th scope="row">${e(label)}</th><td>${valueHtml}</td></tr>`;
  const section = (heading: string, html: string) => `<h2>${e(heading)}</h2>\n${html}`;

  const status = `${e(STATUS_LABEL[viewer.locale][state.status] ?? state.status)}${state.hold ? ` (${e(t.onHold)})` : ''}`;
  const facts = [row(t.party, e(m.partyName)), row(t.status, status), row(t.priority, e(brief.priority))];

  const deadlines: string[] = [];
  for (const name of CLOCKS) {
    const clock = state.clocks[name];
    if (clock.phase !== 'running' && clock.phase !== 'paused') continue;
    const due = clock.dueAt ? e(when(clock.dueAt)) : e(t.paused);
    deadlines.push(row(t.due[name], clock.breachedAt ? `${due} <span class="overdue">${e(t.overdue)}</span>` : due));
  }
  // Before the delivery's clock runs, the brief's own date is its deadline.
  if (state.clocks.deliver.phase === 'pending' && brief.dueAt) deadlines.push(row(t.due.deliver, e(when(brief.dueAt))));

  const parts = [`<table class="facts">\n${facts.join('\n')}\n</table>`];
  if (deadlines.length) parts.push(section(t.deadlines, `<table class="facts">\n${deadlines.join('\n')}\n</table>`));
  const description = brief.description ?? '';
  if (description.trim()) parts.push(section(t.description, `<p class="text">${e(description)}</p>`));
  const deliverables = (brief.deliverables ?? []).filter((d) => d.trim() !== '');
  if (deliverables.length) parts.push(section(t.deliverables, `<ul>${deliverables.map((d) => `<li>${e(d)}</li>`).join('')}</ul>`));
  const question = state.openClarification;
  if (question) {
    parts.push(section(t.question, `<blockquote class="text">${e(question.question)}</blockquote>\n<p class="muted">${e(t.asked(who(question.askedBy), when(question.askedAt)))}</p>`));
  }
  if (state.deliveries.length) {
    const items = [...state.deliveries]
      .sort((a, b) => b.version - a.version)
      .map((d) => {
        const links = d.links.map((link) => {
          const href = safeHref(link);
          // Only web links are followed; anything else is shown as text.
          return `<li>${href ? `<a href="${e(href)}" rel="noopener noreferrer">${e(link)}</a>` : e(link)}</li>`;
        });
        return [
          `<li><strong>${e(t.version(d.version))}</strong> <span class="muted">${e(t.submitted(who(d.submittedBy), when(d.submittedAt)))}</span>`,
          `<blockquote class="text">${e(d.summary)}</blockquote>`,
          links.length ? `<ul aria-label="${e(t.links)}">${links.join('')}</ul>` : '',
          '</li>',
        ].join('\n');
      });
    parts.push(section(t.deliveries, `<ul>\n${items.join('\n')}\n</ul>`));
  }
  if (m.actions.length) {
    const buttons = m.actions.map(({ action, url }, i) => `<a class="button${i === 0 ? '' : ' secondary'}" href="${e(url)}">${e(t.button[action])}</a>`);
    parts.push(section(t.actions, `<p>${buttons.join('\n')}</p>`));
  }
  parts.push(`<p class="muted">${e(t.footer(viewer.name, when(m.now), when(m.linkExpiresAt)))}</p>`);
  return { title: brief.title, body: parts.join('\n') };
}

/** The actions the viewer may take on the brief now, as the state machine decides. */
function possibleActions(state: BriefState, viewer: Viewer): LinkAction[] {
  return PAGE_ACTIONS.filter((action) => {
    try {
      checkAction(state, action, { memberId: viewer.id, role: viewer.role, partyId: viewer.partyId });
      return true;
    } catch {
      return false;
    }
  });
}

const TokenParams = z.object({ token: z.string().min(1).meta({ description: 'The signed token of the brief link from the email.', example: 'eyJpZCI6Im4tMTp2aWV3In0.c2lnbmF0dXJl' }) });

export interface BriefPageDeps {
  prisma: PrismaClient;
  config: ApiDeps['config'];
  logger: Logger;
  /** The action pages' limiter: the link pages share one limit per client address. */
  limiter: RequestHandler;
  actionLinkSecret: () => Promise<string>;
}

export function mountBriefPage(router: Router, catalog: RouteCatalog, deps: BriefPageDeps): void {
  const { prisma, config, logger, limiter, actionLinkSecret } = deps;

  async function show(req: Request, res: Response): Promise<void> {
    const token = typeof req.params.token === 'string' ? req.params.token : '';
    const fail = (locale: Locale, failure: Failure) => failurePage(res, locale, failure);
    const secret = await actionLinkSecret();
    const link = verifyActionToken(secret, token);
    const row = link?.action === 'view' ? await prisma.actionToken.findUnique({ where: { id: link.id } }) : null;
    if (!link || !row || row.action !== 'view' || row.briefId !== link.briefId || row.memberId !== link.memberId) return fail(requestLocale(req), 'invalid');
    const member = await prisma.member.findUnique({ where: { id: link.memberId }, include: { party: true } });
    const briefRow = await prisma.brief.findUnique({ where: { id: link.briefId }, select: { partyId: true, snapshot: true, party: { select: { name: true } } } });
    if (!member || !briefRow) return fail(requestLocale(req), 'invalid');
    const locale = localeOf(member.locale);
    const expiresAt = linkExpiresAt(row, link, config.actionLinks.ttlMs);
    const now = Date.now();
    if (expiresAt <= now) return fail(locale, 'expired');
    if (member.deactivatedAt) return fail(locale, 'deactivated');
    // The link names the member; whether they may see the brief is decided now, by who they are now.
    if (!canSeeParty({ role: member.role, partyId: member.partyId, scope: member.scope }, briefRow.partyId)) return fail(locale, 'noAccess');

    const state = decodeSnapshot(link.briefId, briefRow.snapshot);
    const viewer: Viewer = { id: member.id, name: member.name, role: member.role, partyId: member.partyId, locale, timeZone: await memberTimeZone(prisma, member) };
    const named = [...state.deliveries.map((d) => d.submittedBy), ...(state.openClarification ? [state.openClarification.askedBy] : [])];
    const people = new Map(
      (await prisma.member.findMany({ where: { id: { in: [...new Set(named)] } }, include: { party: true } })).map((p) => [p.id, `${p.name} (${p.party.name})`]),
    );
    const actions = [];
    for (const action of possibleActions(state, viewer)) {
      const url = await createActionLink(prisma, {
        secret,
        // Relative: the page's own origin, whatever name it was reached by.
        publicUrl: '',
        notificationId: row.notificationId,
        // One link per round: a link used on one delivery's review does not stand for the next.
        scope: `page-r${state.revision}`,
        briefId: link.briefId,
        memberId: member.id,
        action,
        ttlMs: config.actionLinks.ttlMs,
        notAfter: new Date(expiresAt),
      });
      actions.push({ action, url });
    }
    const page = renderBriefPage({ viewer, state, partyName: briefRow.party.name, people, actions, now, linkExpiresAt: expiresAt });
    sendHtmlPage(res, { status: 200, locale, title: page.title, body: page.body });
  }

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/view/:token',
      operationId: 'showBriefPage',
      summary: 'The read-only brief page behind the brief link of an email',
      description:
        "An HTML page of the brief as the member the link was sent to may see it now: title, party, status, priority, description, deliverables, deadlines in the member's time zone and language, the open question and the deliveries with their links, and a button for each one-click action the member may take now (each opens its confirmation page under /actions). It changes nothing and works any number of times until the link expires. Not valid: 400; the member may not (or no longer) see the brief: 404, as for any brief of another party; expired, or sent to a member since deactivated: 410. Every answer, errors too, is an HTML page (German for members whose locale is de).",
      tag: 'Action links',
      roles: 'public',
      params: TokenParams,
      errors: [404, 410, 429],
      errorContentType: 'text/html',
      responses: { 200: { description: 'The brief page', contentType: 'text/html', schema: z.string() } },
    },
    chain(limiter, async (req, res) => {
      try {
        await show(req, res);
      } catch (err) {
        unexpectedFailure(logger, res, requestLocale(req), err);
      }
    }),
  );
}
