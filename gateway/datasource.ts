import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { INTERNAL_TOKEN_HEADER } from '../subgraphs/kit/internal-token.ts';
import type { GatewayContext } from './context.ts';

/**
 * Fetches from one subgraph, vouching for the caller with the request's signed
 * internal token.
 */
export class PlazaDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    // Health checks and schema loading run outside a client request and carry no context.
    if (!('internalToken' in context) || !context.internalToken) return;
    request.http?.headers.set(INTERNAL_TOKEN_HEADER, await context.internalToken);
  }
}
