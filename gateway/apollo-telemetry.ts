/**
 * @apollo/gateway 2.x reports usage metrics to Apollo and, to label them, probes cloud
 * metadata endpoints (169.254.169.254 and the like) unless APOLLO_TELEMETRY_DISABLED is
 * set. Plaza sends nothing off the machine on its own: call this before constructing a
 * gateway.
 */
export function disableApolloTelemetry(): void {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
}
