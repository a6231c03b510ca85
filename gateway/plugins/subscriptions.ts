import { ErrorCode, plazaError } from '../../platform/errors.ts';
import type { GatewayPlugin } from '../plugin.ts';

/**
 * A subscription sent as a plain HTTP request is refused with 400 BAD_REQUEST before
 * planning: the gateway answers HTTP requests with one result, which a subscription
 * never is (GET requests of any non-query are refused with 405 by Apollo Server).
 */
export function useHttpSubscriptionRefusal(): GatewayPlugin {
  return {
    name: 'http-subscriptions',
    apollo: {
      async requestDidStart() {
        return {
          async didResolveOperation({ operation }) {
            if (operation?.operation !== 'subscription') return;
            throw plazaError(ErrorCode.BAD_REQUEST, 'Subscriptions are not served over HTTP requests; send a query or a mutation', { httpStatus: 400 });
          },
        };
      },
    },
  };
}
