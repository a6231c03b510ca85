/**
 * Browser tests drive Debian's chromium (`apt-get install chromium`; .ci/run installs it)
 * through playwright-core. Every request a page makes is recorded, and anything not
 * addressed to 127.0.0.1 is cut off, as on a machine with the network off except loopback.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { GatewayConfig } from '../../gateway/config.ts';
import { pagesAreCurrent } from '../../clients/build.ts';
import { startPlaza, type Plaza } from '../support/plaza.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export const CHROMIUM = process.env.PLAZA_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
/** How long a test waits for the page to show something (expect.poll options). */
export const WAIT = { timeout: 20_000, interval: 100 };

/** Screenshots of what each test saw (git-ignored). */
export const ARTIFACTS = path.join(root, 'test', '.artifacts');

/** Builds the pages when their sources changed (as `npm test` does first), so one test file runs on its own. */
function ensurePagesBuilt(): void {
  if (pagesAreCurrent()) return;
  execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'clients', 'build.ts')], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'development' } });
}

async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** The requests that tried to leave the machine (and were cut off). */
  outside: string[];
}

function isLoopback(url: string): boolean {
  if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank') return true;
  try {
    return new URL(url).hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

/** A fresh browser context whose requests are recorded, with only loopback reachable. */
export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, serviceWorkers: 'block' });
  const requests: string[] = [];
  const outside: string[] = [];
  context.on('request', (request) => {
    requests.push(request.url());
    if (!isLoopback(request.url())) outside.push(request.url());
  });
  await context.route('**/*', (route) => (isLoopback(route.request().url()) ? route.continue() : route.abort('internetdisconnected')));
  const page = await context.newPage();
  return { context, page, requests, outside };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The gateway's origin (http://127.0.0.1:<port>). */
function originOf(graphqlUrl: string): string {
  return new URL(graphqlUrl).origin;
}

export interface BrowserPlaza {
  plaza: Plaza;
  browser: Browser;
  /** The gateway's origin (http://127.0.0.1:<port>). */
  origin: string;
}

/**
 * Registers the hooks of a browser test file: before all, the pages built, a Plaza started
 * with `overrides` and chromium launched; after all, both stopped. The returned object's
 * properties are set once the beforeAll hook has run.
 */
export function useBrowserPlaza(overrides: Partial<GatewayConfig>): BrowserPlaza {
  const env = {} as BrowserPlaza;
  beforeAll(async () => {
    ensurePagesBuilt();
    [env.plaza, env.browser] = await Promise.all([startPlaza(overrides), launchChromium()]);
    env.origin = originOf(env.plaza.gateway.url);
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.plaza?.stop();
  });
  return env;
}
