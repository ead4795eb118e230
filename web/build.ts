// Builds the web app: web/src (Preact, TypeScript) bundled by esbuild into web/dist with content-
// hashed file names, and web/dist/index.html naming them. Run by the install (postinstall), by
// `npm run build:web`, and by the start when web/dist is missing. Prints the gzipped size.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const WEB_ROOT = __dirname;
export const DIST = path.join(WEB_ROOT, 'dist');

export interface WebBuild {
  files: string[];
  /** The app's JavaScript, gzipped, in bytes. */
  scriptGzipBytes: number;
}

const hashed = (name: string, contents: Uint8Array) => {
  const { dir, name: base, ext } = path.parse(name);
  return path.join(dir, `${base}.${createHash('sha256').update(contents).digest('base64url').slice(0, 10)}${ext}`);
};

export async function buildWebApp(outDir = DIST): Promise<WebBuild> {
  const result = await build({
    entryPoints: [path.join(WEB_ROOT, 'src', 'main.tsx'), path.join(WEB_ROOT, 'src', 'styles.css')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    write: false,
    outdir: 'out',
    legalComments: 'none',
    logLevel: 'warning',
  });
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  let script = '';
  let style = '';
  let scriptGzipBytes = 0;
  const files: string[] = [];
  for (const file of result.outputFiles) {
    const name = hashed(path.basename(file.path), file.contents);
    writeFileSync(path.join(outDir, name), file.contents);
    files.push(name);
    if (name.endsWith('.js')) {
      script = name;
      scriptGzipBytes = gzipSync(file.contents).length;
    } else if (name.endsWith('.css')) style = name;
  }
  const page = readFileSync(path.join(WEB_ROOT, 'src', 'index.html'), 'utf8')
    .replace('%SCRIPT%', `/assets/${script}`)
    .replace('%STYLE%', `/assets/${style}`);
  writeFileSync(path.join(outDir, 'index.html'), page);
  files.push('index.html');
  return { files, scriptGzipBytes };
}

if (require.main === module) {
  const started = Date.now();
  buildWebApp().then(
    ({ files, scriptGzipBytes }) => {
      process.stdout.write(`web app built in ${Date.now() - started} ms: ${files.length} files in web/dist, script ${(scriptGzipBytes / 1024).toFixed(1)} KB gzipped\n`);
    },
    (err: unknown) => {
      process.stderr.write(`web app build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
