import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeSupergraph, SUPERGRAPH_PATH } from '../schema/compose.ts';

describe('schema/supergraph.graphql', () => {
  it('is exactly what composing the subgraph schemas gives today (run `npm run compose` when this fails)', () => {
    expect(fs.readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(composeSupergraph());
  });

  it('is marked as generated', () => {
    expect(fs.readFileSync(SUPERGRAPH_PATH, 'utf8').split('\n')[0]).toMatch(/GENERATED/);
  });
});
