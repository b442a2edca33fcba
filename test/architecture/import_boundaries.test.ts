// The seams DESIGN.md draws, held by the imports themselves: the tuner reaches the sampler only through the
// port in policy/ (never processors/), the pipeline's core and policy/ import no component, config/ is a
// leaf, and no component imports the tuner or the command line. A new import across a line fails here, naming the file.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COMPONENTS = ['processors', 'receivers', 'exporters'];

/** Every TypeScript source file under a top-level folder, as paths from the root. */
function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts')) out.push(rel);
    }
  };
  walk(folder);
  return out;
}

// Static imports and exports (`from '…'`), side-effect imports and dynamic `import('…')`.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The top-level folders a file's relative imports reach. */
function reached(file: string): Array<{ spec: string; folder: string }> {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => {
    const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), m[1]!));
    return { spec: m[1]!, folder: target.split(path.sep)[0]! };
  });
}

function crossings(folders: readonly string[], forbidden: readonly string[]): string[] {
  return folders.flatMap((folder) => sources(folder).flatMap((file) => reached(file).filter((r) => forbidden.includes(r.folder)).map((r) => `${file} imports ${r.spec}`)));
}

describe('import boundaries', () => {
  it('the tuner never imports a component: it reaches the sampler through policy/', () => {
    assert.deepEqual(crossings(['tuner'], [...COMPONENTS, 'cmd']), []);
  });

  it('the pipeline core and policy/ import no component, no tuner, no command line', () => {
    assert.deepEqual(crossings(['pipeline', 'policy'], [...COMPONENTS, 'tuner', 'cmd']), []);
  });

  it('config/ is a leaf: it imports nothing of the project outside itself', () => {
    assert.deepEqual(crossings(['config'], ['pipeline', 'policy', 'store', 'proto', 'tuner', 'fleet', 'cmd', ...COMPONENTS]), []);
  });

  it('fleet/ reaches its gateway over HTTP and the sampler through policy/: no component, no tuner, no command line', () => {
    assert.deepEqual(crossings(['fleet'], [...COMPONENTS, 'tuner', 'cmd']), []);
  });

  it('components import neither the tuner nor the command line', () => {
    assert.deepEqual(crossings(COMPONENTS, ['tuner', 'cmd']), []);
  });

  it('the check sees an import across the line (it reads what a file imports)', () => {
    const seen = reached('processors/sampler/factory.ts').map((r) => r.folder);
    assert.ok(seen.includes('policy') && seen.includes('pipeline'), `factory.ts reaches ${[...new Set(seen)]}`);
  });
});
