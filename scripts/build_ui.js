// The web console, bundled: ui/app (Preact + uPlot, TypeScript) → dist/ui/static/{index.html, app.js, app.css},
// minified, with no request to anywhere but the daemon at run time. Prints the gzipped sizes.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const OUT = 'dist/ui/static';
mkdirSync(OUT, { recursive: true });
await build({
  entryPoints: { app: 'ui/app/main.tsx' },
  outdir: OUT,
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'linked',
  logLevel: 'warning',
});
copyFileSync('ui/app/index.html', `${OUT}/index.html`);
if (process.argv.includes('--sizes')) {
  for (const name of ['app.js', 'app.css', 'index.html']) console.log(name, gzipSync(readFileSync(`${OUT}/${name}`), { level: 9 }).length, 'bytes gzipped');
}
