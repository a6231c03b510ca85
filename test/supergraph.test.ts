import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composePartnerContract, composeSupergraph, PARTNER_CONTRACT_PATH, SUPERGRAPH_PATH } from '../schema/compose.ts';

describe('schema/supergraph.graphql', () => {
  it('is exactly what composing the subgraph schemas gives today (run `npm run compose` when this fails)', () => {
    expect(fs.readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(composeSupergraph());
  });

  it('is marked as generated', () => {
    expect(fs.readFileSync(SUPERGRAPH_PATH, 'utf8').split('\n')[0]).toMatch(/GENERATED/);
  });
});

describe('schema/partner-contract.graphql', () => {
  it('is exactly the partner contract of the committed supergraph (run `npm run compose` when this fails)', () => {
    expect(fs.readFileSync(PARTNER_CONTRACT_PATH, 'utf8')).toBe(composePartnerContract(fs.readFileSync(SUPERGRAPH_PATH, 'utf8')));
  });

  it('holds what partners read and nothing a reviewer, a merchant or a signed-in user alone may', () => {
    const contract = fs.readFileSync(PARTNER_CONTRACT_PATH, 'utf8');
    expect(contract.split('\n')[0]).toMatch(/GENERATED/);
    expect(contract).toMatch(/homepage\(city: String!\): Homepage!/);
    expect(contract).toMatch(/remainingStock: Int!/);
    for (const hidden of ['placementsForReview', 'reviewPlacement', 'type User', 'type Mutation', 'totalStock', 'popularity']) expect(contract).not.toContain(hidden);
  });
});
