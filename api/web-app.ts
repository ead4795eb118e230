// The web app for people (web/, built into web/dist): every page of it answers with its
// index.html, so a reload or a link from an email opens the right page, and /assets/<file> serves
// its content-hashed script and styles, cached for good. Everything it does goes through /v1.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { APP_PATHS } from '../web/src/paths';
import { notFound, unavailable } from './errors';
import type { RouteCatalog } from './openapi/route';

export const WEB_DIST = path.resolve(__dirname, '..', 'web', 'dist');

const PAGE_SUMMARIES: Record<keyof typeof APP_PATHS, string> = {
  home: 'The web app: sign-in, then the start page of the member\'s role',
  board: 'Web app: the manager\'s board of briefs',
  inbox: 'Web app: a party\'s inbox of briefs',
  newBrief: 'Web app: the new-brief form',
  brief: 'Web app: a brief',
  programs: 'Web app: the programs, and starting one from a template',
  program: 'Web app: a program, its dependency graph and critical path',
  escalations: 'Web app: the live escalation board',
  admin: 'Web app: administration',
  adminSection: 'Web app: a section of the administration',
  reports: 'Web app: the scorecards of the parties the member sees, side by side',
  scorecard: 'Web app: one party\'s scorecard, its charts and the briefs behind each figure',
  settings: 'Web app: the member\'s own settings',
  signIn: 'Web app: sign in by email link or API key',
  signInLink: 'Web app: the page of an emailed sign-in link (signs in once, on a click)',
};

export const webAppBuilt = (dist = WEB_DIST) => existsSync(path.join(dist, 'index.html'));

const ASSET_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };

export function webAppRouter(catalog: RouteCatalog, dist = WEB_DIST): Router {
  const router = Router();
  let cached: { index: string; assets: Set<string>; mtimeMs: number } | undefined;
  // Read again when the build changes (`npm run build:web` beside a running server).
  const built = () => {
    const file = path.join(dist, 'index.html');
    const mtimeMs = existsSync(file) ? statSync(file).mtimeMs : undefined;
    if (mtimeMs === undefined) throw unavailable('the web app is not built: run `npm run build:web`');
    if (cached?.mtimeMs !== mtimeMs) cached = { index: readFileSync(file, 'utf8'), assets: new Set(readdirSync(dist).filter((name) => name !== 'index.html')), mtimeMs };
    return cached;
  };
  const page = (res: Response) => {
    const { index: html } = built();
    // The page names its hashed assets: always asked again, so a deploy is picked up at once.
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(html);
  };
  for (const [name, pattern] of Object.entries(APP_PATHS) as [keyof typeof APP_PATHS, string][]) {
    const names = [...pattern.matchAll(/:(\w+)/g)].map((m) => m[1]);
    catalog.mount(
      router,
      {
        method: 'get',
        path: pattern,
        operationId: `webApp${name[0].toUpperCase()}${name.slice(1)}`,
        summary: PAGE_SUMMARIES[name],
        tag: 'Web app',
        roles: 'public',
        ...(names.length ? { params: z.object(Object.fromEntries(names.map((n) => [n, z.string().meta({ description: 'Read by the page itself, in the browser.' })]))) } : {}),
        responses: { 200: { description: 'The web app (HTML); it signs in and reads everything through /v1', contentType: 'text/html', schema: z.string() } },
        errors: [503],
      },
      (_req, res) => page(res),
    );
  }
  catalog.mount(
    router,
    {
      method: 'get',
      path: '/assets/:file',
      operationId: 'webAppAsset',
      summary: 'A file of the web app (script, styles), named by its content: cached for a year',
      tag: 'Web app',
      roles: 'public',
      params: z.object({ file: z.string().meta({ example: 'main.Xb3k9Q2mZa.js' }) }),
      responses: { 200: { description: 'The file', contentType: 'application/octet-stream', schema: z.string() } },
      errors: [404, 503],
    },
    (req, res) => {
      const file = String(req.params.file);
      if (!built().assets.has(file)) throw notFound('file of the web app');
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      res.type(ASSET_TYPES[path.extname(file)] ?? 'application/octet-stream').sendFile(path.join(dist, file));
    },
  );
  return router;
}
