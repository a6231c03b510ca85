/**
 * The gateway reaches other packages only through their public API: an Apollo patch
 * release may change anything under a package's `dist/`, its private members and how its
 * modules call each other, and Plaza must not notice. So nothing in gateway/:
 * - imports or requires a file under another package's `dist/`;
 * - loads a package through `createRequire` (whose export objects could then be written
 *   into), except graphql-js's CommonJS entry in one place (gateway/engine/graphql.ts);
 * - casts an object to a shape of its own to reach members its type does not declare (the
 *   only such casts name commands Plaza itself defines on its Redis client, `plaza…`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const GATEWAY = fileURLToPath(new URL('../gateway/', import.meta.url));

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

const files = sources(GATEWAY).map((file) => ({ file: path.relative(GATEWAY, file), text: fs.readFileSync(file, 'utf8') }));

/** Every match of `pattern` in gateway/, as `file: line`. */
function findings(pattern: RegExp, allowed: (match: RegExpExecArray, file: string) => boolean = () => false): string[] {
  const found: string[] = [];
  for (const { file, text } of files) {
    for (const match of text.matchAll(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))) {
      if (allowed(match as RegExpExecArray, file)) continue;
      found.push(`${file}: ${text.slice(text.lastIndexOf('\n', match.index) + 1, text.indexOf('\n', match.index)).trim()}`);
    }
  }
  return found;
}

describe("the gateway uses other packages' public API only", () => {
  it('reads the sources it checks', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(files.map((f) => f.file)).toContain(path.join('engine', 'execute.ts'));
  });

  it("imports no file under a package's dist/", () => {
    // a module specifier (import, export from, import(), require()) naming a package path with /dist/
    expect(findings(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)['"][^.'"][^'"]*\/dist\//)).toEqual([]);
  });

  it('does not run on @apollo/gateway (a development dependency, kept as the reference of the differential tests)', () => {
    expect(findings(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]@apollo\/gateway['"\/]/)).toEqual([]);
    const manifest = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(Object.keys(manifest.dependencies)).not.toContain('@apollo/gateway');
  });

  it('loads no package through createRequire, but graphql-js in one place', () => {
    const loads = findings(/createRequire\([^)]*\)\s*\(\s*['"]([^'"]+)['"]\s*\)/, (match, file) => match[1] === 'graphql' && file === path.join('engine', 'graphql.ts'));
    expect(loads).toEqual([]);
    // and nothing keeps a createRequire to call later
    expect(findings(/=\s*createRequire\([^)]*\)\s*[;\n]/)).toEqual([]);
  });

  it('casts no object to a shape of its own to reach undeclared members', () => {
    const casts = findings(/as unknown as \{\s*(\w+)/, (match) => match[1].startsWith('plaza'));
    expect(casts).toEqual([]);
  });

  it('writes no property of a request context Apollo Server gives it', () => {
    expect(findings(/requestContext\s+as\s+\{/)).toEqual([]);
    expect(findings(/\b(?:requestContext|rc)\.(?:document|queryHash|operation|source)\s*=[^=]/)).toEqual([]);
  });
});

describe('the layers: gateway/, platform/ and subgraphs/', () => {
  const importsIn = (dir: string) =>
    sources(fileURLToPath(new URL(`../${dir}/`, import.meta.url))).flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => ({ file: path.relative(fileURLToPath(new URL('..', import.meta.url)), file), target: path.resolve(path.dirname(file), m[1]) })),
    );
  const under = (dir: string) => fileURLToPath(new URL(`../${dir}/`, import.meta.url));

  it('the gateway imports nothing from subgraphs/ (what both use lives in platform/)', () => {
    expect(importsIn('gateway').filter((i) => i.target.startsWith(under('subgraphs'))).map((i) => i.file)).toEqual([]);
  });

  it('platform/ imports neither the gateway nor the subgraphs', () => {
    const found = importsIn('platform').filter((i) => i.target.startsWith(under('subgraphs')) || i.target.startsWith(under('gateway')));
    expect(found.map((i) => `${i.file} → ${i.target}`)).toEqual([]);
  });
});
