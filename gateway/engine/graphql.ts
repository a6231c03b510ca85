/**
 * graphql-js as @apollo/federation-internals and @apollo/server load it (CommonJS). The
 * schemas and errors the engine hands Apollo Server come from federation-internals, built
 * with that copy; where a bundler or test runner gives this package's ES module build to
 * `import 'graphql'`, its `instanceof` checks would refuse them. Anything that works on
 * those schemas (execution of introspection, variable coercion, type predicates) uses this.
 */
import { createRequire } from 'node:module';

export const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');
