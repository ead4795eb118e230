// The scorecard pages' filters: the period (briefs created from … to), the agreement, the
// priority and, coming from a program's page, the program. They live in the page's address, so a filtered page can be bookmarked, shared and
// printed as it is.
import { PRIORITIES } from './briefs';
import { ProgramFilter } from './programs';
import { AGREEMENTS, type ReportFilters } from './scorecards';
import { useText } from '../i18n';

export const AGREEMENT_TEXT = {
  en: { external: 'SLA (external)', internal: 'OLA (internal)' },
  de: { external: 'SLA (extern)', internal: 'OLA (intern)' },
};

const TEXT = {
  en: { filters: 'Filters', from: 'Created from', to: 'Created until', agreement: 'Agreement', priority: 'Priority', any: 'All' },
  de: { filters: 'Filter', from: 'Erstellt ab', to: 'Erstellt bis', agreement: 'Vereinbarung', priority: 'Priorität', any: 'Alle' },
};

export function ReportFilterForm({ filters, period, onChange }: { filters: ReportFilters; period?: { from: string; to: string }; onChange: (next: Partial<ReportFilters>) => void }) {
  const text = useText(TEXT);
  const agreements = useText(AGREEMENT_TEXT);
  return (
    <form class="card row report-filters" aria-label={text.filters} onSubmit={(e) => e.preventDefault()}>
      <div>
        <label for="r-from">{text.from}</label>
        <input id="r-from" type="date" value={filters.from || period?.from || ''} max={filters.to || period?.to || undefined} onChange={(e) => onChange({ from: e.currentTarget.value })} />
      </div>
      <div>
        <label for="r-to">{text.to}</label>
        <input id="r-to" type="date" value={filters.to || period?.to || ''} min={filters.from || period?.from || undefined} onChange={(e) => onChange({ to: e.currentTarget.value })} />
      </div>
      <div>
        <label for="r-agreement">{text.agreement}</label>
        <select id="r-agreement" value={filters.agreement} onChange={(e) => onChange({ agreement: e.currentTarget.value })}>
          <option value="">{text.any}</option>
          {AGREEMENTS.map((a) => (
            <option key={a} value={a}>
              {agreements[a]}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="r-priority">{text.priority}</label>
        <select id="r-priority" value={filters.priority} onChange={(e) => onChange({ priority: e.currentTarget.value })}>
          <option value="">{text.any}</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </div>
      {filters.programId && <ProgramFilter programId={filters.programId} onClear={() => onChange({ programId: '' })} />}
    </form>
  );
}
