import type { DocumentNode } from 'graphql';
import { dataOf } from '../engine/answer-text.ts';
import type { Viewer } from '../../platform/internal-token.ts';
import { supergraphPlugin, type GatewayPlugin } from '../plugin.ts';
import type { SubsequentPayload } from '../engine/defer.ts';
import { localApiSchema } from '../analysis/api-schema.ts';
import {
  authorizeOperation,
  completeDeferredItem,
  completeDeniedFields,
  deniedInDeferred,
  fieldAuthorization,
  readAuthorizationPolicy,
  withoutDeferred,
  type DeniedField,
} from '../analysis/authorization.ts';

/** Options of the authorization plugin. */
export interface AuthorizationOptions {
  /** The supergraph SDL whose @authenticated/@requiresScopes are enforced; replaced when the gateway loads a new one. */
  supergraphSdl: string;
}

/**
 * Enforces @authenticated and @requiresScopes of the supergraph: fields the caller may
 * not read are removed before planning (so no subgraph is asked for them), each is
 * reported as an error at its path with UNAUTHENTICATED (no identity) or FORBIDDEN
 * (missing scope) where it would have been resolved, and the rest of the operation
 * still answers.
 */
export function useAuthorization(options: AuthorizationOptions): GatewayPlugin {
  return supergraphPlugin('authorization', options.supergraphSdl, readAuthorizationPolicy, (policy) => {
    let original: DocumentNode | undefined;
    let viewer: Viewer | undefined;
    let current = policy();
    return {
      async didResolveOperation(requestContext) {
        viewer = requestContext.contextValue.viewer;
        current = policy();
        const outcome = authorizeOperation(localApiSchema(requestContext.schema), current, viewer, requestContext.document, requestContext.operationName);
        if (!outcome.denied.length) return;
        original = requestContext.document;
        // the engine executes the reduced document, planned and cached as a variant of the request's own,
        // and completes the denied fields as it writes the answer (it says so in `completed`)
        requestContext.contextValue.authorizedDocument = {
          document: outcome.document,
          variant: outcome.variant,
          authorization: fieldAuthorization(localApiSchema(requestContext.schema), current, viewer),
        };
      },
      async willSendResponse(requestContext) {
        if (!original || !viewer || requestContext.contextValue.authorizedDocument?.completed) return;
        const body = requestContext.response.body;
        if (body.kind !== 'single') return;
        const result = body.singleResult;
        const completed = result.data
          ? completeDeniedFields(
              localApiSchema(requestContext.schema),
              current,
              viewer,
              // the first part of an answer in parts holds no deferred fragment yet
              requestContext.contextValue.incremental?.subsequent ? withoutDeferred(original) : original,
              requestContext.operationName,
              requestContext.request.variables,
              dataOf(result.data),
            )
          : { data: result.data, errors: [] };
        // an answer replayed from a cache already carries these errors
        const present = new Set((result.errors ?? []).map((e) => `${e.extensions?.code}@${e.path?.join('.')}`));
        const errors = completed.errors.filter((e) => !present.has(`${e.extensions.code}@${e.path.join('.')}`));
        const all = [...errors, ...(result.errors ?? [])];
        body.singleResult = { ...result, data: completed.data, errors: all.length ? all : undefined };
        const parts = requestContext.contextValue.incremental;
        const later = parts?.subsequent;
        if (later) {
          const denied = deniedInDeferred(localApiSchema(requestContext.schema), current, viewer, original, requestContext.operationName);
          if (denied.length) parts.subsequent = () => completeLaterParts(later(), denied);
        }
      },
    };
  });
}

/** The later parts of an answer, each item completed with the denied fields of its deferred fragments. */
async function* completeLaterParts(payloads: AsyncIterable<SubsequentPayload>, denied: readonly DeniedField[]): AsyncIterable<SubsequentPayload> {
  for await (const payload of payloads) {
    yield {
      ...payload,
      ...(payload.incremental
        ? {
            incremental: payload.incremental.map((item) => {
              const completed = completeDeferredItem(item, denied);
              const errors = [...(item.errors ?? []), ...completed.errors];
              return { ...item, data: completed.data, ...(errors.length ? { errors } : {}) };
            }),
          }
        : {}),
    };
  }
}
