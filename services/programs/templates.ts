// Program templates: the handoffs an e-commerce team runs again and again (a product launch, a
// marketplace onboarding, a shop change with change management), kept as data files beside this
// module. Each is checked when it is loaded (its shape, every {{parameter}} it uses declared, its
// graph a DAG), so a broken template stops the start instead of a program; expanding one with
// parameters gives the briefs of a new program.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PRIORITIES } from '../../workflows/domain/vocabulary';
import { graphProblems } from '../../workflows/domain/program';

const TEMPLATE_DIR = path.join(__dirname, 'templates');
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

const parameterSchema = z.strictObject({
  type: z.enum(['text', 'party', 'date']),
  label: z.string().min(1),
  required: z.boolean().optional(),
});

const templateSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  name: z.string().min(1),
  description: z.string().min(1),
  parameters: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/), parameterSchema),
  targetDate: z.string().optional(),
  briefs: z
    .array(
      z.strictObject({
        key: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
        title: z.string().min(1),
        description: z.string().min(1),
        partyId: z.string().min(1),
        priority: z.enum(PRIORITIES).optional(),
        dependsOn: z.array(z.string()).optional(),
      }),
    )
    .min(1),
});

export type ProgramTemplate = z.output<typeof templateSchema>;
export type TemplateParameter = z.output<typeof parameterSchema>;

export class TemplateError extends Error {
  constructor(file: string, detail: string) {
    super(`program template ${file}: ${detail}`);
    this.name = 'TemplateError';
  }
}

/** Every placeholder a template's texts use. */
function placeholders(template: ProgramTemplate): Set<string> {
  const texts = [template.targetDate ?? '', ...template.briefs.flatMap((b) => [b.title, b.description, b.partyId])];
  return new Set(texts.flatMap((t) => [...t.matchAll(PLACEHOLDER)].map((m) => m[1])));
}

/** Reads and checks one template file; throws TemplateError naming the file and what is wrong. */
export function parseTemplate(file: string, text: string): ProgramTemplate {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TemplateError(file, `not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = templateSchema.safeParse(json);
  if (!parsed.success) throw new TemplateError(file, z.prettifyError(parsed.error));
  const template = parsed.data;
  const undeclared = [...placeholders(template)].filter((p) => !(p in template.parameters));
  if (undeclared.length) throw new TemplateError(file, `uses undeclared parameters: ${undeclared.join(', ')}`);
  const problems = graphProblems(template.briefs.map((b) => ({ key: b.key, dependsOn: b.dependsOn ?? [] })));
  if (problems.length) throw new TemplateError(file, problems.map((p) => p.message).join('; '));
  for (const brief of template.briefs) {
    const party = /^\{\{\s*([A-Za-z0-9]+)\s*\}\}$/.exec(brief.partyId)?.[1];
    if (party && template.parameters[party].type !== 'party') throw new TemplateError(file, `brief ${brief.key}: partyId names ${party}, which is not a party parameter`);
  }
  return template;
}

/** The templates in the repository, checked; a broken one throws at start. */
export function loadTemplates(dir = TEMPLATE_DIR): ProgramTemplate[] {
  const templates = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseTemplate(f, readFileSync(path.join(dir, f), 'utf8')));
  const ids = templates.map((t) => t.id);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (twice.length) throw new TemplateError(dir, `template ids used twice: ${twice.join(', ')}`);
  return templates;
}

/** A problem with the parameters a program is started with, by parameter name. */
export interface ParameterProblem {
  parameter: string;
  message: string;
}

/** What a template expands to: the program's briefs and its target date. */
export interface ExpandedTemplate {
  targetDate?: string;
  briefs: { key: string; title: string; description: string; partyId: string; priority?: (typeof PRIORITIES)[number]; dependsOn: string[] }[];
}

/**
 * The briefs of a template with its parameters filled in. Problems (an unknown parameter, a
 * missing required one, a value of the wrong kind) are returned, not thrown, all at once; party
 * parameters are checked against the parties by the caller.
 */
export function expandTemplate(template: ProgramTemplate, parameters: Record<string, unknown>): { expanded?: ExpandedTemplate; problems: ParameterProblem[] } {
  const problems: ParameterProblem[] = [];
  for (const name of Object.keys(parameters)) {
    if (!(name in template.parameters)) problems.push({ parameter: name, message: `unknown parameter of template ${template.id}` });
  }
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(template.parameters)) {
    const value = parameters[name];
    if (value === undefined || value === '') {
      if (spec.required) problems.push({ parameter: name, message: 'required' });
      continue;
    }
    if (typeof value !== 'string' || value.trim() === '' || value.length > 2_000) {
      problems.push({ parameter: name, message: 'must be a non-empty text of at most 2000 characters' });
      continue;
    }
    if (spec.type === 'date' && !Number.isFinite(Date.parse(value))) {
      problems.push({ parameter: name, message: 'must be an ISO 8601 date or instant' });
      continue;
    }
    values[name] = value.trim();
  }
  if (problems.length) return { problems };
  const fill = (text: string) => text.replace(PLACEHOLDER, (_, name: string) => values[name] ?? '');
  const targetDate = template.targetDate ? fill(template.targetDate) : '';
  return {
    problems,
    expanded: {
      ...(targetDate ? { targetDate } : {}),
      briefs: template.briefs.map((b) => ({
        key: b.key,
        title: fill(b.title),
        description: fill(b.description),
        partyId: fill(b.partyId),
        ...(b.priority ? { priority: b.priority } : {}),
        dependsOn: b.dependsOn ?? [],
      })),
    },
  };
}
