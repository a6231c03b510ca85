import type { GatewayConfig } from '../config.ts';
import type { GatewayPlugin } from '../plugin.ts';
import { useIdentity } from './identity.ts';

/** Every concern of the gateway, in the order a request meets them. */
export function gatewayPlugins(config: GatewayConfig): GatewayPlugin[] {
  return [useIdentity({ secret: config.jwtSecret })];
}
