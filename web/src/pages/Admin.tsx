// Administration, for admins: parties with their members and API keys, business calendars, and
// SLA policies, one section per tab (/admin/parties, /admin/calendars, /admin/policies).
import { useRoute } from 'preact-iso';
import { useText } from '../i18n';
import { APP_PATHS } from '../paths';
import { session } from '../session';
import { Calendars } from './admin/Calendars';
import { Parties } from './admin/Parties';
import { Policies } from './admin/Policies';

const SECTIONS = ['parties', 'calendars', 'policies'] as const;
type Section = (typeof SECTIONS)[number];

const TEXT = {
  en: {
    title: 'Administration',
    sections: 'Sections',
    notAllowed: 'Administration is for admins. Ask an admin of your organisation if something needs changing.',
    unknown: 'There is no such section.',
    section: { parties: 'Parties & members', calendars: 'Calendars', policies: 'SLA policies' } as Record<Section, string>,
  },
  de: {
    title: 'Verwaltung',
    sections: 'Bereiche',
    notAllowed: 'Die Verwaltung ist Admins vorbehalten. Bitten Sie einen Admin Ihrer Organisation, wenn etwas geändert werden muss.',
    unknown: 'Diesen Bereich gibt es nicht.',
    section: { parties: 'Partner & Mitglieder', calendars: 'Kalender', policies: 'SLA-Richtlinien' } as Record<Section, string>,
  },
};

export function Admin() {
  const text = useText(TEXT);
  const { params } = useRoute();
  const current = session.value;
  if (!current) return null;
  if (current.member.role !== 'admin') {
    return (
      <section>
        <h1>{text.title}</h1>
        <p class="notice" role="status">
          {text.notAllowed}
        </p>
      </section>
    );
  }
  const section = (params.section ?? 'parties') as Section;
  const known = (SECTIONS as readonly string[]).includes(section);
  return (
    <section class="admin">
      <h1>{text.title}</h1>
      <nav aria-label={text.sections}>
        <ul class="tabs">
          {SECTIONS.map((s) => (
            <li key={s}>
              <a href={`${APP_PATHS.admin}/${s}`} aria-current={s === section ? 'page' : undefined}>
                {text.section[s]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {!known && <p class="notice">{text.unknown}</p>}
      {section === 'parties' && <Parties />}
      {section === 'calendars' && <Calendars />}
      {section === 'policies' && <Policies />}
    </section>
  );
}
