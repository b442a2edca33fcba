// Builds the package: the entry points bundled with esbuild (the daemon's miner and decision modules go in
// with them, so the SDK runs exactly the daemon's code; OpenTelemetry and the logging libraries stay
// dependencies), and the type declarations with tsc. Run from the repository (node sdk/js/build.js).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
rmSync(path.join(here, 'dist'), { recursive: true, force: true });
await build({
  entryPoints: ['index', 'node', 'pino', 'winston'].map((name) => path.join(here, 'src', `${name}.ts`)),
  outdir: path.join(here, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  minify: true,
  external: ['@opentelemetry/*', 'pino-abstract-transport', 'winston-transport', 'node:*'],
  mainFields: ['module', 'main'],
  // Browser builds of what goes in (lru-cache's default build reaches for node:diagnostics_channel): the core
  // entry must load in a browser, and they run the same in Node.
  conditions: ['browser'],
  logLevel: 'warning',
});
execFileSync(process.execPath, [path.join(here, '../../node_modules/typescript/bin/tsc'), '-p', path.join(here, 'tsconfig.build.json')], { stdio: 'inherit' });
