import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayPlugin } from '../plugin.ts';
import { staticPage } from '../static-files.ts';

/** Options of the client pages. */
export interface ClientPagesOptions {
  /** Folder holding the built pages (homepage/, miniprogram/, console/). Default dist/pages. */
  dir?: string;
}

export const CLIENT_PAGES_DEFAULTS = {
  dir: fileURLToPath(new URL('../../dist/pages', import.meta.url)),
};

/**
 * Serves the first-party pages built from clients/: the homepage at `/homepage/`
 * (`?city=…#token=…`), the merchant mini-program at `/miniprogram/` (`?merchant=…#token=…`)
 * and the merchant console at `/console/` (`?merchant=…#token=<a merchant:<id> token>`).
 * They call this gateway's GraphQL endpoint with persisted operations.
 */
export function useClientPages(options: ClientPagesOptions = {}): GatewayPlugin {
  const { dir } = { ...CLIENT_PAGES_DEFAULTS, ...options };
  return {
    name: 'client-pages',
    routes: (app) => {
      staticPage('/homepage/', path.join(dir, 'homepage'))(app);
      staticPage('/miniprogram/', path.join(dir, 'miniprogram'))(app);
      staticPage('/console/', path.join(dir, 'console'))(app);
    },
  };
}
