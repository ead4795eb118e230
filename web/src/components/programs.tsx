// What pages share about programs: a program's name (fetched once per visit) and the notice a
// page filtered to one program shows, leading to the program and back to everything.
import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import { useText } from '../i18n';
import { programPath } from '../paths';

const names = new Map<string, Promise<string | null>>();

/** The program's name, or null when the caller may not see it; undefined while it loads. */
export function useProgramName(id: string | null | undefined): string | null | undefined {
  const [name, setName] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    if (!id) return;
    let live = true;
    let known = names.get(id);
    if (!known) {
      known = ok(api.GET('/v1/programs/{id}', { params: { path: { id } } })).then(
        (program) => program.name,
        () => null,
      );
      names.set(id, known);
    }
    void known.then((value) => live && setName(value));
    return () => {
      live = false;
    };
  }, [id]);
  return id ? name : null;
}

const TEXT = {
  en: { program: 'Program', all: 'Show all' },
  de: { program: 'Programm', all: 'Alle anzeigen' },
};

/** "Program: <name>" linking to the program, with a way back to every brief. */
export function ProgramFilter({ programId, onClear }: { programId: string; onClear: () => void }) {
  const text = useText(TEXT);
  const name = useProgramName(programId);
  return (
    <p class="program-filter" data-program={programId}>
      {text.program}: <a href={programPath(programId)}>{name ?? programId.slice(0, 8)}</a>{' '}
      <button type="button" class="secondary" onClick={onClear}>
        {text.all}
      </button>
    </p>
  );
}
