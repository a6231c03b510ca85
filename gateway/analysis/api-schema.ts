/**
 * The gateway's API schema as this package's graphql-js builds it: the schema every
 * analysis of a document (authorization, cost, contracts, usage) walks.
 */
import { buildSchema, type GraphQLSchema } from 'graphql';
import { graphql } from '../engine/graphql.ts';

const localSchemas = new WeakMap<object, GraphQLSchema>();

/** The gateway's API schema rebuilt with this module's graphql, once per schema the gateway loads. */
export function localApiSchema(gatewaySchema: GraphQLSchema): GraphQLSchema {
  let local = localSchemas.get(gatewaySchema);
  if (!local) {
    local = buildSchema(graphql.printSchema(gatewaySchema));
    localSchemas.set(gatewaySchema, local);
  }
  return local;
}
