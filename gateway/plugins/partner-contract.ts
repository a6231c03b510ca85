import { execute, GraphQLError, Kind, validate, type DocumentNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { HeaderMap } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { ErrorCode, plazaError } from '../../platform/errors.ts';
import { partnerContractFor } from '../contract.ts';
import type { GatewayPlugin } from '../plugin.ts';
import { localApiSchema } from '../analysis/api-schema.ts';

/** Options of the partner contract. */
export interface PartnerContractOptions {
  /** The supergraph SDL the gateway starts with (the contract follows every reload). */
  supergraphSdl: string;
  /** Partners may introspect their contract (and only it); off, their introspection is refused with 403. Default false; production turns introspection off for everyone. */
  introspection?: boolean;
}

export const PARTNER_CONTRACT_DEFAULTS = { introspection: false };

/** Whether a selection set (through inline fragments) asks for the schema itself, and whether it asks for anything else. */
function rootKinds(set: SelectionSetNode, kinds = { schema: false, data: false }): typeof kinds {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if (s.name.value === '__schema' || s.name.value === '__type') kinds.schema = true;
      else if (s.name.value !== '__typename') kinds.data = true;
    } else if (s.kind === Kind.INLINE_FRAGMENT) rootKinds(s.selectionSet, kinds);
    else kinds.data = true; // a named fragment at the root: judged by the fragments below
  }
  return kinds;
}

/** Validation errors of a document against a contract: once per parsed document (Apollo's document store keeps them). */
const verdicts = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, readonly GraphQLError[]>>();

function contractErrors(contract: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
  let byDocument = verdicts.get(contract);
  if (!byDocument) verdicts.set(contract, (byDocument = new WeakMap()));
  let errors = byDocument.get(document);
  if (!errors) byDocument.set(document, (errors = validate(contract, document)));
  return errors;
}

/**
 * Partners see only the partner contract (schema/partner-contract.graphql): an operation
 * asking for anything outside it is refused as the gateway refuses an unknown field, 400
 * GRAPHQL_VALIDATION_FAILED, before anything is planned; their introspection answers the
 * contract when allowed and is refused with 403 FORBIDDEN otherwise.
 */
export function usePartnerContract(options: PartnerContractOptions): GatewayPlugin {
  const settings = { ...PARTNER_CONTRACT_DEFAULTS, ...options };
  let sdl = settings.supergraphSdl;
  let apiSchema: GraphQLSchema | undefined;
  const contract = () => partnerContractFor(apiSchema!, sdl);
  const introspecting = new WeakSet<object>();
  return {
    name: 'partner-contract',
    apollo: {
      async serverWillStart({ schema }) {
        apiSchema = localApiSchema(schema);
        return {
          schemaDidLoadOrUpdate({ apiSchema: loaded, coreSupergraphSdl }) {
            if (coreSupergraphSdl) sdl = coreSupergraphSdl;
            apiSchema = localApiSchema(loaded);
          },
        };
      },
      async requestDidStart() {
        return {
          async didResolveOperation({ contextValue, document, operation }) {
            if (contextValue.client.kind !== 'partner' || !operation) return;
            const fragments = document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [d.selectionSet] : []));
            const kinds = rootKinds(operation.selectionSet);
            for (const f of fragments) rootKinds(f, kinds);
            if (kinds.schema) {
              if (!settings.introspection) throw plazaError(ErrorCode.FORBIDDEN, 'Partners cannot introspect the schema; see the partner contract', { httpStatus: 403 });
              if (kinds.data) throw plazaError(ErrorCode.BAD_REQUEST, 'Introspect the partner contract in an operation of its own', { httpStatus: 400 });
              introspecting.add(contextValue);
            }
            const errors = contractErrors(contract(), document);
            if (errors.length) {
              // the first problem, as Apollo words an unknown field; `contract` says which schema the operation was held to
              throw new GraphQLError(errors[0].message, {
                nodes: errors[0].nodes,
                extensions: { code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED, contract: 'partner', http: { status: 400 } },
              });
            }
          },
          async responseForOperation({ contextValue, document, request, operationName }) {
            if (!introspecting.has(contextValue)) return null;
            // the contract alone answers: the whole graph's types never reach a partner
            const result = await execute({ schema: contract(), document, variableValues: request.variables, operationName });
            return { http: { status: 200, headers: new HeaderMap() }, body: { kind: 'single', singleResult: result } };
          },
        };
      },
    },
  };
}
