import { Kind, type SelectionSetNode } from 'graphql';
import { ErrorCode, plazaError } from '../../subgraphs/kit/errors.ts';
import type { GatewayPlugin } from '../plugin.ts';

/** Whether a root selection (through inline fragments) asks for the schema itself. */
function asksForSchema(set: SelectionSetNode): boolean {
  return set.selections.some((s) =>
    s.kind === Kind.FIELD ? s.name.value === '__schema' || s.name.value === '__type' : s.kind === Kind.INLINE_FRAGMENT && asksForSchema(s.selectionSet),
  );
}

/**
 * Partners see only their contract of the schema, never the whole graph: their
 * introspection queries are refused with 403 FORBIDDEN in every mode (production
 * turns introspection off for everyone, see gateway/server.ts).
 */
export function usePartnerIntrospectionGuard(): GatewayPlugin {
  return {
    name: 'partner-introspection',
    apollo: {
      async requestDidStart() {
        return {
          async didResolveOperation({ contextValue, document, operation }) {
            if (contextValue.client.kind !== 'partner' || !operation) return;
            const fragments = document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [d.selectionSet] : []));
            if (asksForSchema(operation.selectionSet) || fragments.some(asksForSchema)) {
              throw plazaError(ErrorCode.FORBIDDEN, 'Partners cannot introspect the schema; see the partner contract', { httpStatus: 403 });
            }
          },
        };
      },
    },
  };
}
