/**
 * Regenerates the README's screenshots of the three pages (homepage, mini-program,
 * merchant console) at a phone's size, 390×844, from a Plaza started here on the
 * small seed, in Debian's chromium with only loopback reachable:
 *
 *   npm run screenshots        writes docs/screenshots/<page>.png
 *
 * The pages are Chinese: without a CJK font chromium draws boxes, so the script stops
 * and names the package to install (fonts-noto-cjk) instead of writing such pictures.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildPages } from './build.ts';
import { startPlaza } from '../test/support/plaza.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUT = path.join(root, 'docs', 'screenshots');
const CHROMIUM = process.env.PLAZA_CHROMIUM || '/usr/bin/chromium';

function hasChineseFont(): boolean {
  try {
    return execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim().length > 0;
  } catch {
    return false;
  }
}

if (!fs.existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  process.exit(1);
}
if (!hasChineseFont()) {
  console.error('No Chinese font: the pages would show boxes. apt-get install -y fonts-noto-cjk, then run again.');
  process.exit(1);
}

await buildPages();
const plaza = await startPlaza({ pages: { clientPages: true } });
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const origin = new URL(plaza.gateway.url).origin;
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, serviceWorkers: 'block' });
  // nothing leaves the machine
  await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  const page = await context.newPage();
  const user = await plaza.tokenFor('u1');
  const shots = [
    { name: 'homepage', url: `/homepage/?city=Shanghai#token=${user}`, ready: '[data-testid="card"]' },
    { name: 'miniprogram', url: `/miniprogram/?merchant=m1#token=${user}`, ready: '[data-testid="offer"]' },
    { name: 'console', url: `/console/?merchant=m1#token=${await plaza.tokenFor('u9', ['merchant:m1'])}`, ready: '[data-testid="placement"]' },
  ];
  fs.mkdirSync(OUT, { recursive: true });
  for (const shot of shots) {
    await page.goto(`${origin}${shot.url}`);
    await page.waitForSelector(shot.ready);
    await page.screenshot({ path: path.join(OUT, `${shot.name}.png`) });
    console.log(`wrote ${path.relative(root, path.join(OUT, `${shot.name}.png`))}`);
  }
  await context.close();
} finally {
  await browser.close();
  await plaza.stop();
}
