// The web app's API client is typed by web/src/api/schema.ts, generated from the OpenAPI document
// the API serves: when a route changes and the file is not regenerated (`npm run build:api-types`),
// this fails, and with the regenerated file the app's type check (`npm run typecheck`) fails
// wherever the app no longer matches the API.
import { readFileSync } from 'node:fs';
import { generateApiTypes, SCHEMA_FILE } from '../../web/api-types';

test('web/src/api/schema.ts is generated from the API as it is now', async () => {
  const generated = await generateApiTypes();
  expect(generated).toContain('"/v1/briefs/{id}/deliveries"');
  expect(readFileSync(SCHEMA_FILE, 'utf8') === generated ? 'current' : 'stale: run `npm run build:api-types`').toBe('current');
});
