import fs from 'node:fs';
import type { FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import path from 'node:path';
import type { Routes } from '../platform/http.ts';

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

/** Sends one built file: hashed assets are cached for good, pages are revalidated on every visit. */
export function sendFile(reply: FastifyReply, file: string): FastifyReply {
  const ext = path.extname(file);
  reply.headers(headersFor(file)).type(CONTENT_TYPES[ext] ?? 'application/octet-stream');
  return reply.send(reply.request.method === 'HEAD' ? '' : fs.readFileSync(file));
}

/** The caching and security headers of a built file. */
function headersFor(file: string): Record<string, string> {
  const isPage = path.extname(file) === '.html';
  return {
    'cache-control': isPage ? 'no-cache' : 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    ...(isPage ? { 'content-security-policy': PAGE_CSP, 'referrer-policy': 'no-referrer' } : {}),
  };
}

/** A page was asked for but `npm run build:pages` has not produced it. */
export function sendNotBuilt(reply: FastifyReply, dir: string): FastifyReply {
  return reply.code(503).type('text/plain; charset=utf-8').send(`This page is not built (${dir} is missing): run npm run build:pages, or restart with npm start.`);
}

/**
 * Serves a built page (a Vite output folder with index.html and assets/) under a path
 * prefix, e.g. `/homepage/`, with @fastify/static: only GET and HEAD, never a file
 * outside the folder; before the page is built, a 503 that says how to build it.
 */
export function staticPage(prefix: `/${string}/`, dir: string): Routes {
  const root = path.resolve(dir);
  return (app) => {
    void app.register(async (scope) => {
      scope.addHook('onRequest', async (_request, reply) => {
        if (!fs.existsSync(path.join(root, 'index.html'))) return sendNotBuilt(reply, path.relative(process.cwd(), root) || root);
      });
      await scope.register(fastifyStatic, {
        root,
        prefix,
        decorateReply: false,
        cacheControl: false,
        etag: false,
        lastModified: false,
        setHeaders: (res, file) => {
          for (const [name, value] of Object.entries(headersFor(file))) res.setHeader(name, value);
          const type = CONTENT_TYPES[path.extname(file)];
          if (type) res.setHeader('content-type', type);
        },
      });
    });
  };
}
