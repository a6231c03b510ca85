import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Route } from '../platform/http.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

/**
 * Pages load only what the gateway itself serves: no CDN, no outside fonts or scripts.
 * (Inline styles are allowed: the editors position their widgets with them.)
 */
export const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'";

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends one built file: hashed assets are cached for good, pages are revalidated on every visit. */
export function sendFile(req: IncomingMessage, res: ServerResponse, file: string): void {
  const ext = path.extname(file);
  const isPage = ext === '.html';
  const body = fs.readFileSync(file);
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': isPage ? 'no-cache' : 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    ...(isPage ? { 'content-security-policy': PAGE_CSP, 'referrer-policy': 'no-referrer' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** A page was asked for but `npm run build:pages` has not produced it. */
export function sendNotBuilt(res: ServerResponse, dir: string): void {
  send(res, 503, `This page is not built (${dir} is missing): run npm run build:pages, or restart with npm start.`);
}

/**
 * Serves a built page (a Vite output folder with index.html and assets/) under a path
 * prefix, e.g. `/homepage/`. Only GET and HEAD; never a file outside the folder.
 */
export function staticPage(prefix: `/${string}/`, dir: string): Route {
  const root = path.resolve(dir);
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const bare = prefix.slice(0, -1);
    if (url.pathname !== bare && !url.pathname.startsWith(prefix)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Method not allowed', { allow: 'GET, HEAD' });
      return true;
    }
    if (url.pathname === bare) {
      res.writeHead(308, { location: prefix + url.search });
      res.end();
      return true;
    }
    if (!fs.existsSync(path.join(root, 'index.html'))) {
      sendNotBuilt(res, path.relative(process.cwd(), root) || root);
      return true;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname.slice(prefix.length)) || 'index.html';
    } catch {
      send(res, 400, 'Bad path');
      return true;
    }
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep) || !fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
      send(res, 404, `Nothing is served at ${url.pathname}`);
      return true;
    }
    sendFile(req, res, file);
    return true;
  };
}
