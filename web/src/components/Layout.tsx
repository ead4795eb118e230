// The frame of every signed-in page: the navigation for the member's role, the language switch,
// who is signed in and the sign-out.
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { LOCALES, locale, setLocale, useCommon, useText } from '../i18n';
import { APP_PATHS } from '../paths';
import { session, signOut } from '../session';

const TEXT = {
  en: { skip: 'Skip to content', board: 'Board', inbox: 'Inbox', newBrief: 'New brief', programs: 'Programs', escalations: 'Escalations', reports: 'Scorecards', admin: 'Administration', settings: 'My settings', signOut: 'Sign out', language: 'Language', nav: 'Main' },
  de: { skip: 'Zum Inhalt', board: 'Übersicht', inbox: 'Eingang', newBrief: 'Neues Briefing', programs: 'Programme', escalations: 'Eskalationen', reports: 'Kennzahlen', admin: 'Verwaltung', settings: 'Meine Einstellungen', signOut: 'Abmelden', language: 'Sprache', nav: 'Hauptmenü' },
};

export function Layout({ children }: { children: ComponentChildren }) {
  const text = useText(TEXT);
  const common = useCommon();
  const { path, route } = useLocation();
  const current = session.value;
  if (!current) return null;
  const { role, name, partyName } = current.member;
  const links: [string, string][] = [];
  if (role === 'manager') links.push([APP_PATHS.board, text.board], [APP_PATHS.newBrief, text.newBrief]);
  if (role === 'admin') links.push([APP_PATHS.board, text.board]);
  if (role === 'member') links.push([APP_PATHS.inbox, text.inbox]);
  // Escalations are for the e-commerce side and watchers; a party's members get their inbox.
  links.push([APP_PATHS.programs, text.programs]);
  if (role !== 'member') links.push([APP_PATHS.escalations, text.escalations]);
  // Scorecards for everyone: a party's own members see their own party's.
  links.push([APP_PATHS.reports, text.reports]);
  if (role === 'admin') links.push([APP_PATHS.admin, text.admin]);
  links.push([APP_PATHS.settings, text.settings]);
  return (
    <>
      <a class="skip" href="#main">{text.skip}</a>
      <header class="top">
        <a class="brand" href="/">Handoff</a>
        <nav aria-label={text.nav}>
          <ul>
            {links.map(([href, label]) => (
              <li key={href}>
                <a href={href} aria-current={path === href || (href !== '/' && path.startsWith(`${href}/`) && href !== APP_PATHS.newBrief) ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>
            {name} · {partyName} · {common.role[role]}
          </span>
          <label class="language">
            <span class="visually-hidden">{text.language}</span>
            <select value={locale.value} onChange={(e) => setLocale((e.currentTarget as HTMLSelectElement).value as 'en' | 'de')}>
              {LOCALES.map((l) => (
                <option key={l} value={l}>
                  {l === 'de' ? 'Deutsch' : 'English'}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="link" onClick={() => void signOut().then(() => route('/signin'))}>
            {text.signOut}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
