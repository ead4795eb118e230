// GET /: what a person who opens Handoff's address in a browser sees: where to go from here.
import { Router } from 'express';
import { z } from 'zod';
import type { RouteCatalog } from '../openapi/route';

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Handoff</title>
  <style>
    body { margin: 0; padding: 32px 24px; font: 16px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328; background: #f6f8fa; }
    main { max-width: 640px; margin: 0 auto; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 24px 28px; }
    h1 { font-size: 24px; margin: 0 0 8px; }
    a { color: #0969da; }
    code { background: #eef1f5; padding: 1px 5px; border-radius: 4px; font-size: 14px; }
    li { margin: 6px 0; }
  </style>
</head>
<body>
<main>
  <h1>Handoff is running</h1>
  <p>Briefs, acknowledgements, clarifications, deliveries, approvals and SLA clocks between the e-commerce team and the agencies and teams it works with.</p>
  <ul>
    <li><a href="/docs">API reference</a>: every route, tried out in the browser with an API key (<em>Authorize</em>).</li>
    <li><a href="/openapi.json">OpenAPI document</a> for clients and code generators.</li>
    <li><a href="/healthz">Health</a> of the database and Temporal.</li>
  </ul>
  <p>The walkthrough from a first brief to its approval, the configuration and the production setup are in <code>README.md</code> beside the code. <code>npm start</code> prints one API key per demo member at the first start.</p>
</main>
</body>
</html>
`;

export function homeRouter(catalog: RouteCatalog): Router {
  const router = Router();
  catalog.mount(
    router,
    {
      method: 'get',
      path: '/',
      operationId: 'home',
      summary: 'A page for people: where the API reference and the documentation are',
      tag: 'Operations',
      roles: 'public',
      responses: { 200: { description: 'An HTML page linking to /docs and the README', contentType: 'text/html', schema: z.string() } },
    },
    (_req, res) => {
      res.type('html').send(PAGE);
    },
  );
  return router;
}
