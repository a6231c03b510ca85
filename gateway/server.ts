import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { graphqlRequestListener, listen, sendJson, type Listening, type Route } from '../subgraphs/kit/http.ts';
import { signInternalToken } from '../subgraphs/kit/internal-token.ts';
import { subgraphUrlOverride, type GatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';
import { PlazaDataSource } from './datasource.ts';
import { useIdentity } from './plugins/identity.ts';

export interface RunningGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Builds and starts the gateway over a composed supergraph. */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
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
  });
  await server.start();

  const identify = useIdentity({ secret: config.jwtSecret });
  async function context(req: IncomingMessage): Promise<GatewayContext> {
    const viewer = await identify(req);
    return { viewer, internalToken: signInternalToken(viewer, config.internalSecret) };
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
  ];

  const http: Listening = await listen(
    graphqlRequestListener(server, { context, routes, maxBodyBytes: config.maxBodyBytes }),
    config.port,
    config.host,
  );
  return {
    url: http.url,
    port: http.port,
    async stop() {
      await http.close();
      await server.stop();
    },
  };
}
