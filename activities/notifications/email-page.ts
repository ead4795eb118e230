// The frame of the emails about no brief (the monthly scorecard, a program's notice to its owner):
// the page, the greeting, one button to the web app and the footer, around a body of their own.
// Everything passed as text is escaped here; `body` is HTML its template built and escaped.
import { escapeHtml as e, safeHref, type Locale } from '../../lib/i18n';

const BUTTON = 'display:inline-block;padding:10px 18px;margin:0 8px 8px 0;border-radius:6px;text-decoration:none;font-weight:600;background:#1f6feb;color:#fff;';

export interface EmailPage {
  locale: Locale;
  subject: string;
  greeting: string;
  /** The HTML between the greeting and the button. */
  body: string;
  /** The button's label and where it leads (a label alone when the address is not a safe link). */
  open: { label: string; url: string };
  footer: string;
}

export function emailPage({ locale, subject, greeting, body, open, footer }: EmailPage): string {
  const href = safeHref(open.url);
  return `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(subject)}</title></head>
<body style="margin:0;padding:24px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2328">
<p style="margin:0 0 12px">${e(greeting)}</p>
${body}
<p style="margin:24px 0 0">
${href ? `<a href="${e(href)}" style="${BUTTON}">${e(open.label)}</a>` : e(open.label)}
</p>
<p style="margin:24px 0 0;font-size:12px;color:#777">${e(footer)}</p>
</body>
</html>
`;
}
