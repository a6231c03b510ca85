import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'subgraphs/**/*.test.ts', 'gateway/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // each file boots its own Plaza; two at a time suits a two-core machine
    maxWorkers: 2,
  },
});
