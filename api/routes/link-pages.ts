// What the pages behind the links in emails share (the one-click action pages and the read-only
// brief page): one look, a strict Content-Security-Policy, the pages for links that cannot be
// used, rate limits per client address and per link token (there is no API key to count by), and
// the link secret.
import { createHash, randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { escapeHtml, type Locale } from '../../lib/i18n';
import type { Logger } from '../../lib/logger';
import type { ApiDeps } from '../context';
import { isUnavailable } from '../errors';
import { databaseLimiter, RATE_LIMIT_WINDOW_MS } from '../rate-limits';

const STYLE = `
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f4f5f7}
main{max-width:34rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.5rem;margin:0 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
textarea{box-sizing:border-box;width:100%;min-height:6rem;font:inherit;padding:.5rem;border:1px solid #8a9099;border-radius:4px}
button,a.button{display:inline-block;margin-top:1rem;font:inherit;font-weight:600;padding:.6rem 1.2rem;border:0;border-radius:4px;background:#0b5cad;color:#fff;cursor:pointer;text-decoration:none}
a.button{margin-right:.5rem}
a.button.secondary{background:#e3e7ec;color:#1b1f24}
button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid #f2b01e;outline-offset:2px}
table.facts{border-collapse:collapse}
table.facts th{text-align:left;vertical-align:top;font-weight:600;color:#5b6470;padding:.15rem 1rem .15rem 0}
table.facts td{padding:.15rem 0}
blockquote{margin:.25rem 0;padding:.25rem .75rem;border-left:3px solid #c9ced6}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
ul{padding-left:1.25rem}
li{overflow-wrap:anywhere}
.overdue{color:#a4161a;font-weight:600}
.error{color:#a4161a;font-weight:600}
.brand{color:#5b6470;font-size:.875rem;margin:0 0 .5rem}
.muted{color:#5b6470;font-size:.875rem}
`;

export interface HtmlPage {
  status: number;
  locale: Locale;
  title: string;
  /** The page's content under its heading, already escaped. */
  body: string;
}

/** Sends a page in the shared look; nothing but its own style and forms posting back are allowed. */
export function sendHtmlPage(res: Response, page: HtmlPage): void {
  const nonce = randomBytes(16).toString('base64');
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
${page.body}
</main>
</body>
</html>`;
  res
    .status(page.status)
    // Stricter than the API's default policy: nothing but this page's own style and a form posting back.
    .setHeader('Content-Security-Policy', `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`)
    .setHeader('Cache-Control', 'no-store')
    // The link's token is in the URL: a link followed from the page must not carry it along.
    .setHeader('Referrer-Policy', 'no-referrer')
    .type('html')
    .send(html);
}

export const paragraphs = (texts: string[]) => texts.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');

export type Failure = 'invalid' | 'used' | 'expired' | 'deactivated' | 'forbidden' | 'noAccess' | 'unavailable' | 'internal' | 'limited';
export const FAILURE_STATUS: Record<Failure, number> = { invalid: 400, used: 410, expired: 410, deactivated: 410, forbidden: 403, noAccess: 404, unavailable: 503, internal: 500, limited: 429 };

const FAILURE_TEXT: Record<Locale, Record<Failure, readonly [string, string]>> = {
  en: {
    invalid: ['This link is not valid', 'Please use the link from the email exactly as it was sent.'],
    used: ['This link has already been used', 'Each link works once. Open the brief in Handoff to see where it stands.'],
    expired: ['This link has expired', 'Open the brief in Handoff to act on it.'],
    deactivated: ['This link no longer works', 'The account it was sent to is deactivated. Please ask the team that sent it.'],
    forbidden: ['This is not possible for you', 'Your role or party does not allow this action on the brief.'],
    noAccess: ['No brief to show', 'There is no brief here that you may see (any more).'],
    unavailable: ['Please try again shortly', 'Handoff cannot reach the workflow engine or the database right now. The link still works.'],
    internal: ['Something went wrong', 'Please try again later.'],
    limited: ['Too many requests', 'Please wait a minute and try again.'],
  },
  de: {
    invalid: ['Dieser Link ist ungültig', 'Bitte verwenden Sie den Link aus der E-Mail genau so, wie er gesendet wurde.'],
    used: ['Dieser Link wurde bereits verwendet', 'Jeder Link funktioniert einmal. Öffnen Sie den Brief in Handoff, um den Stand zu sehen.'],
    expired: ['Dieser Link ist abgelaufen', 'Öffnen Sie den Brief in Handoff, um darauf zu reagieren.'],
    deactivated: ['Dieser Link gilt nicht mehr', 'Das Konto, an das er gesendet wurde, ist deaktiviert. Bitte wenden Sie sich an das Team, das ihn gesendet hat.'],
    forbidden: ['Das ist für Sie nicht möglich', 'Ihre Rolle oder Partei erlaubt diese Aktion an dem Brief nicht.'],
    noAccess: ['Kein Briefing zu zeigen', 'Hier gibt es (nicht mehr) ein Briefing, das Sie sehen dürfen.'],
    unavailable: ['Bitte versuchen Sie es gleich noch einmal', 'Handoff erreicht die Workflow-Engine oder die Datenbank gerade nicht. Der Link bleibt gültig.'],
    internal: ['Etwas ist schiefgegangen', 'Bitte versuchen Sie es später noch einmal.'],
    limited: ['Zu viele Anfragen', 'Bitte warten Sie eine Minute und versuchen Sie es dann erneut.'],
  },
};

export function failurePage(res: Response, locale: Locale, failure: Failure): void {
  const [title, detail] = FAILURE_TEXT[locale][failure];
  sendHtmlPage(res, { status: FAILURE_STATUS[failure], locale, title, body: paragraphs([detail]) });
}

/** The language of a page for someone we do not know yet (a link that is not valid). */
export const requestLocale = (req: Request): Locale => (req.acceptsLanguages('en', 'de') === 'de' ? 'de' : 'en');

/** Runs handlers one after the other, as Express would for a route with several. */
export function chain(...handlers: RequestHandler[]): RequestHandler {
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

/**
 * Outside /v1 there is no API key to count by: the link pages share one limit per client address
 * (HANDOFF_RATE_LIMIT a minute) and each link token has its own (HANDOFF_RATE_LIMIT_PER_LINK),
 * counted in the database like the API's limits. The token is counted by its hash: a link token
 * is a credential and is not stored.
 */
export function linkPageLimiter({ db, logger, config }: Pick<ApiDeps, 'db' | 'logger' | 'config'>): RequestHandler {
  const handler = (req: Request, res: Response) => {
    res.setHeader('Retry-After', String(RATE_LIMIT_WINDOW_MS / 1000));
    failurePage(res, requestLocale(req), 'limited');
  };
  const perAddress = databaseLimiter({ prisma: db.prisma, logger, name: 'link-address', limit: config.rateLimitPerMinute, handler });
  const perToken = databaseLimiter({
    prisma: db.prisma,
    logger,
    name: 'link-token',
    limit: config.rateLimits.perLink,
    keyGenerator: (req) => createHash('sha256').update(String(req.params.token ?? '')).digest('base64url'),
    handler,
  });
  return chain(perAddress, perToken);
}

/** Pages for what went wrong unexpectedly: the workflow engine or database away (503), anything else (500). */
export function unexpectedFailure(logger: Logger, res: Response, locale: Locale, err: unknown): void {
  if (isUnavailable(err)) {
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'link page: dependency unavailable');
    return failurePage(res, locale, 'unavailable');
  }
  logger.error({ err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) }, 'link page failed');
  failurePage(res, locale, 'internal');
}
