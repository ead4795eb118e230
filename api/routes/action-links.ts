// One-click action pages behind the links in emails (/actions/<token>): no API key, the signed
// token is the credential. A GET only shows what the link would do; the form on it POSTs back,
// and that acts once, as the member the link was made for, through the brief's workflow.
import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { verifyActionToken, loadActionLinkSecret, type ActionLinkPayload, type LinkAction } from '../../lib/action-links';
import { actionUpdates, type ActionRequest } from '../../workflows/brief/definitions';
import { isTerminal, type BriefStatus, type Role } from '../../workflows/domain/brief';
import { RULES } from '../../workflows/domain/transitions';
import type { ApiDeps } from '../context';
import { ApiError, isUnavailable } from '../errors';
import type { RouteCatalog } from '../openapi/route';
import { translateWorkflowError } from '../workflow-errors';
import { ACTION_BODIES } from './briefs.schemas';

type Locale = 'de' | 'en';

/** As for the brief action routes: how long the workflow may take before the page says "try again". */
const UPDATE_DEADLINE_MS = 30_000;
const FORM_LIMIT = '16kb';

const TEXT = {
  en: {
    title: { acknowledge: 'Acknowledge the brief', approve: 'Approve the delivery', requestChanges: 'Request changes' },
    ask: {
      acknowledge: (who: string, brief: string) => `${who}, acknowledge the brief “${brief}” and start working on it?`,
      approve: (who: string, brief: string) => `${who}, approve the delivery of the brief “${brief}”?`,
      requestChanges: (who: string, brief: string) => `${who}, send the delivery of the brief “${brief}” back with changes?`,
    },
    button: { acknowledge: 'Acknowledge', approve: 'Approve', requestChanges: 'Request changes' },
    done: { acknowledge: 'Brief acknowledged', approve: 'Delivery approved', requestChanges: 'Changes requested' },
    doneDetail: (brief: string, status: string) => `The brief “${brief}” is now ${status}. You can close this page.`,
    note: 'Note (optional)',
    reason: 'What should change?',
    reasonMissing: 'Please say what should change.',
    invalidInput: 'Please check your input.',
    invalid: ['This link is not valid', 'Please use the link from the email exactly as it was sent.'],
    used: ['This link has already been used', 'Each link works once. Open the brief in Handoff to see where it stands.'],
    expired: ['This link has expired', 'Open the brief in Handoff to act on it.'],
    conflict: ['This is no longer possible', (status: string) => `The brief is ${status} now.`],
    forbidden: ['This is not possible for you', 'Your role or party does not allow this action on the brief.'],
    unavailable: ['Please try again shortly', 'Handoff cannot reach the workflow engine or the database right now. The link still works.'],
    internal: ['Something went wrong', 'Please try again later.'],
    limited: ['Too many requests', 'Please wait a minute and try again.'],
    status: {
      awaiting_ack: 'awaiting acknowledgement',
      in_progress: 'in progress',
      clarification_requested: 'waiting for an answer to a question',
      in_review: 'in review',
      changes_requested: 'back with the agency for changes',
      approved: 'approved',
      declined: 'declined',
      cancelled: 'cancelled',
    } satisfies Record<BriefStatus, string>,
  },
  de: {
    title: { acknowledge: 'Brief bestätigen', approve: 'Lieferung freigeben', requestChanges: 'Änderungen anfordern' },
    ask: {
      acknowledge: (who: string, brief: string) => `${who}, den Brief „${brief}“ bestätigen und mit der Arbeit beginnen?`,
      approve: (who: string, brief: string) => `${who}, die Lieferung zum Brief „${brief}“ freigeben?`,
      requestChanges: (who: string, brief: string) => `${who}, die Lieferung zum Brief „${brief}“ mit Änderungswünschen zurückgeben?`,
    },
    button: { acknowledge: 'Bestätigen', approve: 'Freigeben', requestChanges: 'Änderungen anfordern' },
    done: { acknowledge: 'Brief bestätigt', approve: 'Lieferung freigegeben', requestChanges: 'Änderungen angefordert' },
    doneDetail: (brief: string, status: string) => `Der Brief „${brief}“ ist jetzt ${status}. Sie können diese Seite schließen.`,
    note: 'Notiz (optional)',
    reason: 'Was soll geändert werden?',
    reasonMissing: 'Bitte geben Sie an, was geändert werden soll.',
    invalidInput: 'Bitte prüfen Sie Ihre Eingabe.',
    invalid: ['Dieser Link ist ungültig', 'Bitte verwenden Sie den Link aus der E-Mail genau so, wie er gesendet wurde.'],
    used: ['Dieser Link wurde bereits verwendet', 'Jeder Link funktioniert einmal. Öffnen Sie den Brief in Handoff, um den Stand zu sehen.'],
    expired: ['Dieser Link ist abgelaufen', 'Öffnen Sie den Brief in Handoff, um darauf zu reagieren.'],
    conflict: ['Das ist nicht mehr möglich', (status: string) => `Der Brief ist jetzt ${status}.`],
    forbidden: ['Das ist für Sie nicht möglich', 'Ihre Rolle oder Partei erlaubt diese Aktion an dem Brief nicht.'],
    unavailable: ['Bitte versuchen Sie es gleich noch einmal', 'Handoff erreicht die Workflow-Engine oder die Datenbank gerade nicht. Der Link bleibt gültig.'],
    internal: ['Etwas ist schiefgegangen', 'Bitte versuchen Sie es später noch einmal.'],
    limited: ['Zu viele Anfragen', 'Bitte warten Sie eine Minute und versuchen Sie es dann erneut.'],
    status: {
      awaiting_ack: 'wartend auf Bestätigung',
      in_progress: 'in Arbeit',
      clarification_requested: 'wartend auf die Antwort auf eine Frage',
      in_review: 'in Prüfung',
      changes_requested: 'zur Überarbeitung bei der Agentur',
      approved: 'freigegeben',
      declined: 'abgelehnt',
      cancelled: 'storniert',
    } satisfies Record<BriefStatus, string>,
  },
} as const;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const STYLE = `
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f4f5f7}
main{max-width:34rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.5rem;margin:0 0 1rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
textarea{box-sizing:border-box;width:100%;min-height:6rem;font:inherit;padding:.5rem;border:1px solid #8a9099;border-radius:4px}
button{margin-top:1rem;font:inherit;font-weight:600;padding:.6rem 1.2rem;border:0;border-radius:4px;background:#0b5cad;color:#fff;cursor:pointer}
button:focus-visible,textarea:focus-visible{outline:3px solid #f2b01e;outline-offset:2px}
.error{color:#a4161a;font-weight:600}
.brand{color:#5b6470;font-size:.875rem;margin:0 0 .5rem}
`;

interface Page {
  status: number;
  locale: Locale;
  title: string;
  paragraphs: string[];
  form?: { action: LinkAction; button: string; field?: { name: 'note' | 'reason'; label: string; required: boolean; value: string }; error?: string };
}

function sendPage(res: Response, page: Page): void {
  const nonce = randomBytes(16).toString('base64');
  const form = page.form
    ? `<form method="post">${page.form.error ? `<p class="error" role="alert" id="form-error">${escapeHtml(page.form.error)}</p>` : ''}${
        page.form.field
          ? `<label for="${page.form.field.name}">${escapeHtml(page.form.field.label)}</label><textarea id="${page.form.field.name}" name="${page.form.field.name}" maxlength="5000"${
              page.form.field.required ? ' required' : ''
            }${page.form.error ? ' aria-describedby="form-error" aria-invalid="true"' : ''}>${escapeHtml(page.form.field.value)}</textarea>`
          : ''
      }<button type="submit">${escapeHtml(page.form.button)}</button></form>`
    : '';
  const html = `<!doctype html>
<html lang="${page.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(page.title)} · Handoff</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main>
<p class="brand">Handoff</p>
<h1>${escapeHtml(page.title)}</h1>
${page.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${form}
</main>
</body>
</html>`;
  res
    .status(page.status)
    // Stricter than the API's default policy: nothing but this page's own style and a form posting back.
    .setHeader('Content-Security-Policy', `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`)
    .setHeader('Cache-Control', 'no-store')
    .type('html')
    .send(html);
}

type Failure = 'invalid' | 'used' | 'expired' | 'forbidden' | 'unavailable' | 'internal' | 'limited';
const FAILURE_STATUS: Record<Failure, number> = { invalid: 400, used: 410, expired: 410, forbidden: 403, unavailable: 503, internal: 500, limited: 429 };

const failurePage = (res: Response, locale: Locale, failure: Failure) => {
  const [title, detail] = TEXT[locale][failure];
  sendPage(res, { status: FAILURE_STATUS[failure], locale, title, paragraphs: [detail] });
};

const conflictPage = (res: Response, locale: Locale, status: BriefStatus) => {
  const [title, detail] = TEXT[locale].conflict;
  sendPage(res, { status: 409, locale, title, paragraphs: [detail(TEXT[locale].status[status] ?? status)] });
};

/** The language of a page for someone we do not know yet (a link that is not valid). */
const requestLocale = (req: Request): Locale => (req.acceptsLanguages('en', 'de') === 'de' ? 'de' : 'en');

/** Runs handlers one after the other, as Express would for a route with several. */
function chain(...handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let index = 0;
    const step = (err?: unknown): void => {
      if (err) return next(err);
      const handler = handlers[index++];
      if (!handler) return next();
      try {
        const result = handler(req, res, step) as unknown;
        if (result instanceof Promise) result.catch(next);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}

const TokenParams = z.object({ token: z.string().min(1).meta({ description: 'The signed token from the email.', example: 'eyJpZCI6Im4tMTphY2tub3dsZWRnZSJ9.c2lnbmF0dXJl' }) });
const PAGE_RESPONSE = { contentType: 'text/html', schema: z.string() };

export function actionLinksRouter({ db, temporal, config, logger }: ApiDeps, catalog: RouteCatalog): Router {
  const { prisma } = db;
  const router = Router();

  let secret: Promise<string> | undefined;
  const actionLinkSecret = () => {
    secret ??= loadActionLinkSecret(prisma, config.actionLinks.secret).catch((err: unknown) => {
      secret = undefined;
      throw err;
    });
    return secret;
  };

  // Outside /v1 there is no API key to count by: these pages are limited per client address.
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: config.rateLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res, _next, options) => {
      res.setHeader('Retry-After', String(Math.ceil(options.windowMs / 1000)));
      failurePage(res, requestLocale(req), 'limited');
    },
  });
  const formBody = express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 10 });

  type Loaded =
    | { ok: false; locale: Locale; failure: Failure }
    | {
        ok: true;
        locale: Locale;
        link: ActionLinkPayload;
        member: { id: string; name: string; role: string; partyId: string };
        brief: { title: string; status: string; workflowId: string };
      };

  /** The link's token, row, member and brief; or why the link cannot be used. */
  async function load(req: Request): Promise<Loaded> {
    const token = typeof req.params.token === 'string' ? req.params.token : '';
    const link = verifyActionToken(await actionLinkSecret(), token);
    const row = link ? await prisma.actionToken.findUnique({ where: { id: link.id } }) : null;
    if (!link || !row || row.briefId !== link.briefId || row.memberId !== link.memberId || row.action !== link.action) {
      return { ok: false, locale: requestLocale(req), failure: 'invalid' };
    }
    const member = await prisma.member.findUnique({ where: { id: link.memberId } });
    const brief = await prisma.brief.findUnique({ where: { id: link.briefId }, select: { title: true, status: true, workflowId: true } });
    if (!member || !brief) return { ok: false, locale: requestLocale(req), failure: 'invalid' };
    const locale: Locale = member.locale === 'de' ? 'de' : 'en';
    if (row.usedAt) return { ok: false, locale, failure: 'used' };
    if (Math.min(row.expiresAt.getTime(), link.exp * 1000) <= Date.now()) return { ok: false, locale, failure: 'expired' };
    return { ok: true, locale, link, member, brief };
  }

  /** Whether the brief's status still allows the action (the workflow has the last word). */
  const stillPossible = (action: LinkAction, status: string) =>
    !isTerminal(status as BriefStatus) && (RULES[action].from?.includes(status as BriefStatus) ?? true);

  function confirmationPage(res: Response, loaded: Extract<Loaded, { ok: true }>, status = 200, error?: string, value = '') {
    const { locale, link, member, brief } = loaded;
    const text = TEXT[locale];
    const field =
      link.action === 'requestChanges'
        ? { name: 'reason' as const, label: text.reason, required: true, value }
        : link.action === 'approve'
          ? { name: 'note' as const, label: text.note, required: false, value }
          : undefined;
    sendPage(res, {
      status,
      locale,
      title: text.title[link.action],
      paragraphs: [text.ask[link.action](member.name, brief.title)],
      form: { action: link.action, button: text.button[link.action], field, error },
    });
  }

  /** Pages for what went wrong unexpectedly: the workflow engine or database away (503), anything else (500). */
  function unexpected(req: Request, res: Response, locale: Locale, err: unknown): void {
    if (isUnavailable(err)) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'action link: dependency unavailable');
      return failurePage(res, locale, 'unavailable');
    }
    logger.error({ err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) }, 'action link failed');
    failurePage(res, locale, 'internal');
  }

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/actions/:token',
      operationId: 'showActionLink',
      summary: 'The confirmation page of a one-click link from an email',
      description:
        'An HTML page naming the brief, the action and the member, with a form that posts back to the same URL. It changes nothing. Not valid: 400; used or expired: 410; the action no longer possible: 409. Every answer, errors too, is an HTML page (German for members whose locale is de).',
      tag: 'Action links',
      roles: 'public',
      params: TokenParams,
      errors: [409, 410, 429],
      errorContentType: PAGE_RESPONSE.contentType,
      responses: { 200: { description: 'The confirmation page', ...PAGE_RESPONSE } },
    },
    chain(limiter, async (req, res) => {
      let locale = requestLocale(req);
      try {
        const loaded = await load(req);
        locale = loaded.locale;
        if (!loaded.ok) return failurePage(res, loaded.locale, loaded.failure);
        if (!stillPossible(loaded.link.action, loaded.brief.status)) return conflictPage(res, loaded.locale, loaded.brief.status as BriefStatus);
        confirmationPage(res, loaded);
      } catch (err) {
        unexpected(req, res, locale, err);
      }
    }),
  );

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/actions/:token',
      operationId: 'useActionLink',
      summary: 'Act through a one-click link from an email',
      description:
        'The form of the confirmation page (application/x-www-form-urlencoded: `reason` to request changes, required; an optional `note` to approve). Acknowledges, approves or requests changes as the member the link was made for, once. Not valid: 400; used or expired: 410; the action no longer possible: 409. Every answer is an HTML page.',
      tag: 'Action links',
      roles: 'public',
      params: TokenParams,
      errors: [403, 409, 410, 429],
      errorContentType: PAGE_RESPONSE.contentType,
      responses: { 200: { description: 'The result page', ...PAGE_RESPONSE } },
    },
    chain(limiter, formBody, async (req, res) => {
      let locale = requestLocale(req);
      try {
        const loaded = await load(req);
        locale = loaded.locale;
        if (!loaded.ok) return failurePage(res, loaded.locale, loaded.failure);
        const { link, member, brief } = loaded;
        const text = TEXT[locale];
        if (!stillPossible(link.action, brief.status)) return conflictPage(res, locale, brief.status as BriefStatus);

        const form = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
        const fieldName = link.action === 'requestChanges' ? 'reason' : 'note';
        const value = typeof form[fieldName] === 'string' ? (form[fieldName] as string) : '';
        const payload = link.action === 'requestChanges' ? { reason: value } : value.trim() && link.action === 'approve' ? { note: value } : {};
        const parsed = ACTION_BODIES[link.action].safeParse(payload);
        if (!parsed.success) {
          return confirmationPage(res, loaded, 400, link.action === 'requestChanges' && !value.trim() ? text.reasonMissing : text.invalidInput, value);
        }

        // Single use: only the request that marks the link acts; another one racing it sees it used.
        const usedAt = new Date();
        const marked = await prisma.actionToken.updateMany({ where: { id: link.id, usedAt: null }, data: { usedAt } });
        if (marked.count === 0) return failurePage(res, locale, 'used');
        const request: ActionRequest = { actor: { memberId: member.id, role: member.role as Role, partyId: member.partyId }, payload: parsed.data };
        let view;
        try {
          const handle = temporal.workflow.getHandle(brief.workflowId);
          view = await temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => handle.executeUpdate(actionUpdates[link.action], { args: [request] }));
        } catch (err) {
          // The action did not happen: the link works again.
          await prisma.actionToken.updateMany({ where: { id: link.id, usedAt }, data: { usedAt: null } });
          const translated = translateWorkflowError(err);
          if (translated instanceof ApiError) {
            if (translated.type === 'conflict') {
              const current = await prisma.brief.findUnique({ where: { id: link.briefId }, select: { status: true } });
              return conflictPage(res, locale, (current?.status ?? brief.status) as BriefStatus);
            }
            if (translated.type === 'forbidden') return failurePage(res, locale, 'forbidden');
            if (translated.type === 'validation') return confirmationPage(res, loaded, 400, text.invalidInput, value);
          }
          throw translated;
        }
        logger.info({ briefId: link.briefId, memberId: member.id, action: link.action }, 'action link used');
        sendPage(res, { status: 200, locale, title: text.done[link.action], paragraphs: [text.doneDetail(brief.title, text.status[view.status] ?? view.status)] });
      } catch (err) {
        unexpected(req, res, locale, err);
      }
    }),
  );

  return router;
}
