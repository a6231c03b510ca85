import { ErrorCode, plazaError } from '../../platform/errors.ts';
import { supergraphPlugin, type GatewayPlugin } from '../plugin.ts';
import { localApiSchema } from '../analysis/api-schema.ts';
import { estimateCost, readCostModel } from '../analysis/cost.ts';

/** Options of demand control. */
export interface DemandControlOptions {
  /** The supergraph SDL whose @cost/@listSize drive the estimate; replaced when the gateway loads a new one. */
  supergraphSdl: string;
  /** Budget of clients without their own. Default 10000. */
  budget?: number;
  /** Budgets by client name (partners, first-party apps). Default none. */
  budgets?: Record<string, number>;
  /** Size assumed for lists without @listSize or slicing argument. Default 10. */
  defaultListSize?: number;
}

export const DEMAND_CONTROL_DEFAULTS = { budget: 10_000, budgets: {} as Record<string, number>, defaultListSize: 10 };

/**
 * Estimates each operation's cost from the supergraph's @cost/@listSize before it
 * runs and refuses one over its client's budget: HTTP 400, COST_ESTIMATED_TOO_EXPENSIVE,
 * with `extensions.cost` and `extensions.budget`.
 */
export function useDemandControl(options: DemandControlOptions): GatewayPlugin {
  const settings = { ...DEMAND_CONTROL_DEFAULTS, ...options };
  return supergraphPlugin('demand-control', options.supergraphSdl, readCostModel, (model) => ({
    async didResolveOperation(requestContext) {
      if (!requestContext.operation) return;
      const budget = settings.budgets[requestContext.contextValue.client.name] ?? settings.budget;
      const cost = estimateCost(
        localApiSchema(requestContext.schema),
        model(),
        requestContext.document,
        requestContext.operation,
        requestContext.request.variables,
        settings.defaultListSize,
      );
      if (cost > budget) {
        throw plazaError(ErrorCode.COST_ESTIMATED_TOO_EXPENSIVE, `The operation's estimated cost ${cost} exceeds the budget of ${budget}`, {
          httpStatus: 400,
          extensions: { cost, budget },
        });
      }
    },
  }));
}
