import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { graphqlRequestListener, listen, sendJson, type Listening, type Route } from '../subgraphs/kit/http.ts';
import { ANONYMOUS, signInternalToken } from '../subgraphs/kit/internal-token.ts';
import { subgraphUrlOverride, type GatewayConfig } from './config.ts';
import { UNKNOWN_CLIENT, type GatewayContext } from './context.ts';
import { PlazaDataSource } from './datasource.ts';
import type { GatewayPlugin } from './plugin.ts';
import { gatewayPlugins } from './plugins/index.ts';

export interface RunningGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Builds and starts the gateway over a composed supergraph. */
export async function startGateway(config: GatewayConfig, plugins: GatewayPlugin[] = gatewayPlugins(config)): Promise<RunningGateway> {
  const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new PlazaDataSource({ url: subgraphUrlOverride(config, name) ?? url }),
  });
  const server = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: !config.production,
    introspection: !config.production,
    // Plaza's entry points own the process lifecycle (see kit/process.ts).
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    plugins: plugins.flatMap((p) => (p.apollo ? [p.apollo] : [])),
  });
  await server.start();

  async function context(req: IncomingMessage): Promise<GatewayContext> {
    const context: GatewayContext = { viewer: ANONYMOUS, client: UNKNOWN_CLIENT };
    for (const plugin of plugins) await plugin.context?.(req, context);
    context.internalToken = signInternalToken(context.viewer, config.internalSecret);
    return context;
  }

  async function prepare(req: IncomingMessage, body: unknown, url: URL): Promise<unknown> {
    for (const plugin of plugins) if (plugin.prepare) body = await plugin.prepare(req, body, url);
    return body;
  }

  const routes: Route[] = [
    (req, res) => {
      if (req.url !== '/health') return false;
      sendJson(res, 200, { status: 'ok' });
      return true;
    },
    (req, res) => {
      if (req.url !== '/ready') return false;
      sendJson(res, 200, { status: 'ready' });
      return true;
    },
    ...plugins.flatMap((p) => p.routes ?? []),
  ];

  const http: Listening = await listen(
    graphqlRequestListener(server, { context, prepare, routes, maxBodyBytes: config.maxBodyBytes }),
    config.port,
    config.host,
  );
  return {
    url: http.url,
    port: http.port,
    async stop() {
      await http.close();
      await server.stop();
      for (const plugin of plugins) await plugin.stop?.();
    },
  };
}
