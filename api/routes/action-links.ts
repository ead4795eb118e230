// One-click action pages behind the links in emails (/actions/<token>): no API key, the signed
// token is the credential. A GET only shows what the link would do; the form on it POSTs back,
// and that acts once, as the member the link was made for, through the brief's workflow. The
// read-only brief page (/view/<token>, brief-page.ts) shares this router's rate limit.
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { isLinkAction, linkExpiresAt, linkSecret, verifyActionToken, type ActionLinkPayload, type LinkAction } from '../../services/action-links';
import { escapeHtml, type Locale } from '../../lib/i18n';
import { actionUpdates, type ActionRequest } from '../../workflows/brief/definitions';
import { isTerminal, type BriefStatus, type Role } from '../../workflows/domain/vocabulary';
import { RULES } from '../../workflows/domain/transitions';
import type { ApiDeps } from '../context';
import { ApiError } from '../errors';
import type { RouteCatalog } from '../openapi/route';
import { translateWorkflowError } from '../workflow-errors';
import { mountBriefPage } from './brief-page';
import { ACTION_BODIES } from './briefs.schemas';
import { chain, failurePage, linkPageLimiter, paragraphs, requestLocale, sendHtmlPage, unexpectedFailure, type Failure } from './link-pages';

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
    conflict: ['This is no longer possible', (status: string) => `The brief is ${status} now.`],
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
    conflict: ['Das ist nicht mehr möglich', (status: string) => `Der Brief ist jetzt ${status}.`],
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

interface Page {
  status: number;
  locale: Locale;
  title: string;
  paragraphs: string[];
  form?: { action: LinkAction; button: string; field?: { name: 'note' | 'reason'; label: string; required: boolean; value: string }; error?: string };
}

function sendPage(res: Response, page: Page): void {
  const form = page.form
    ? `<form method="post">${page.form.error ? `<p class="error" role="alert" id="form-error">${escapeHtml(page.form.error)}</p>` : ''}${
        page.form.field
          ? `<label for="${page.form.field.name}">${escapeHtml(page.form.field.label)}</label><textarea id="${page.form.field.name}" name="${page.form.field.name}" maxlength="5000"${
              page.form.field.required ? ' required' : ''
            }${page.form.error ? ' aria-describedby="form-error" aria-invalid="true"' : ''}>${escapeHtml(page.form.field.value)}</textarea>`
          : ''
      }<button type="submit">${escapeHtml(page.form.button)}</button></form>`
    : '';
  sendHtmlPage(res, { status: page.status, locale: page.locale, title: page.title, body: `${paragraphs(page.paragraphs)}\n${form}` });
}

const conflictPage = (res: Response, locale: Locale, status: BriefStatus) => {
  const [title, detail] = TEXT[locale].conflict;
  sendPage(res, { status: 409, locale, title, paragraphs: [detail(TEXT[locale].status[status] ?? status)] });
};

const TokenParams = z.object({ token: z.string().min(1).meta({ description: 'The signed token from the email.', example: 'eyJpZCI6Im4tMTphY2tub3dsZWRnZSJ9.c2lnbmF0dXJl' }) });
const PAGE_RESPONSE = { contentType: 'text/html', schema: z.string() };

export function actionLinksRouter({ db, temporal, config, logger }: ApiDeps, catalog: RouteCatalog): Router {
  const { prisma } = db;
  const router = Router();

  const actionLinkSecret = linkSecret(prisma, config.actionLinks.secret);
  const limiter = linkPageLimiter({ db, logger, config });
  const formBody = express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 10 });

  type Loaded =
    | { ok: false; locale: Locale; failure: Failure }
    | {
        ok: true;
        locale: Locale;
        link: ActionLinkPayload & { action: LinkAction };
        member: { id: string; name: string; role: string; partyId: string };
        brief: { title: string; status: string; workflowId: string };
      };

  /** The link's token, row, member and brief; or why the link cannot be used. */
  async function load(req: Request): Promise<Loaded> {
    const token = typeof req.params.token === 'string' ? req.params.token : '';
    const link = verifyActionToken(await actionLinkSecret(), token);
    const row = link ? await prisma.actionToken.findUnique({ where: { id: link.id } }) : null;
    // A view link only opens the brief page; it acts on nothing.
    if (!link || !isLinkAction(link.action) || !row || row.briefId !== link.briefId || row.memberId !== link.memberId || row.action !== link.action) {
      return { ok: false, locale: requestLocale(req), failure: 'invalid' };
    }
    const member = await prisma.member.findUnique({ where: { id: link.memberId } });
    const brief = await prisma.brief.findUnique({ where: { id: link.briefId }, select: { title: true, status: true, workflowId: true } });
    if (!member || !brief) return { ok: false, locale: requestLocale(req), failure: 'invalid' };
    const locale: Locale = member.locale === 'de' ? 'de' : 'en';
    if (member.deactivatedAt) return { ok: false, locale, failure: 'deactivated' };
    if (row.usedAt) return { ok: false, locale, failure: 'used' };
    if (linkExpiresAt(row, link, config.actionLinks.ttlMs) <= Date.now()) return { ok: false, locale, failure: 'expired' };
    return { ok: true, locale, link: { ...link, action: link.action }, member, brief };
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

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/actions/:token',
      operationId: 'showActionLink',
      summary: 'The confirmation page of a one-click link from an email',
      description:
        'An HTML page naming the brief, the action and the member, with a form that posts back to the same URL. It changes nothing. Not valid: 400; used, expired or sent to a member since deactivated: 410; the action no longer possible: 409. Every answer, errors too, is an HTML page (German for members whose locale is de).',
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
        unexpectedFailure(logger, res, locale, err);
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
        'The form of the confirmation page (application/x-www-form-urlencoded: `reason` to request changes, required; an optional `note` to approve). Acknowledges, approves or requests changes as the member the link was made for, once. Not valid: 400; used, expired or sent to a member since deactivated: 410; the action no longer possible: 409. Every answer is an HTML page.',
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
        unexpectedFailure(logger, res, locale, err);
      }
    }),
  );

  mountBriefPage(router, catalog, { prisma, config, logger, limiter, actionLinkSecret });

  return router;
}
