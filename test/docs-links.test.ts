/**
 * Every relative link in README.md and docs/*.md points at a file that exists (and, for a
 * link into a markdown file with a #fragment, at a heading that file has). Links to other
 * sites and links inside code blocks are not checked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const pages = [
  'README.md',
  ...fs
    .readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

/** The text of a markdown page outside fenced code blocks and inline code. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The targets of `[text](target)`, `![alt](target)` and HTML `src`/`href` attributes. */
function linkTargets(text: string): string[] {
  const body = prose(text);
  const targets: string[] = [];
  for (const m of body.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]!);
  for (const m of body.matchAll(/\b(?:src|href)="([^"]+)"/g)) targets.push(m[1]!);
  return targets;
}

function isRelative(target: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  const text = prose(fs.readFileSync(file, 'utf8'));
  return new Set([...text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)].map((m) => slug(m[1]!)));
}

describe('relative links in README.md and docs/', () => {
  it('finds the pages and their links', () => {
    expect(pages).toContain('README.md');
    expect(pages.length).toBeGreaterThan(1);
    expect(linkTargets(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).filter(isRelative).length).toBeGreaterThan(0);
  });

  it('reads links outside code, and headings as anchors', () => {
    const sample = 'see [a](a.md#b), ![c](img/c.png "C") and <img src="d.png" width="9">, not `[e](e.md)`\n```\n[f](f.md)\n```\n';
    expect(linkTargets(sample)).toEqual(['a.md#b', 'img/c.png', 'd.png']);
    expect(['https://x.org/a', 'mailto:a@b.c', '//x.org'].filter(isRelative)).toEqual([]);
    const readme = anchors(path.join(root, 'README.md'));
    expect(readme.has('how-a-request-flows')).toBe(true);
    expect(readme.has('reference')).toBe(true);
  });

  it.each(pages)('%s links only to files that exist', (page) => {
    const file = path.join(root, page);
    const broken: string[] = [];
    for (const target of linkTargets(fs.readFileSync(file, 'utf8')).filter(isRelative)) {
      const [pathPart, fragment] = target.split('#', 2) as [string, string | undefined];
      const resolved = pathPart ? path.resolve(path.dirname(file), decodeURIComponent(pathPart.split('?')[0]!)) : file;
      if (!fs.existsSync(resolved)) {
        broken.push(`${target} (no ${path.relative(root, resolved)})`);
        continue;
      }
      if (fragment && resolved.endsWith('.md') && !anchors(resolved).has(fragment.toLowerCase())) {
        broken.push(`${target} (no heading #${fragment} in ${path.relative(root, resolved)})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
