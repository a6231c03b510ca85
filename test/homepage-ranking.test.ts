import { describe, expect, it } from 'vitest';
import { EVERY_CITY, type Placement } from '../subgraphs/placements/entities.ts';
import { explainRank, rankSection, RANK_WEIGHTS, type RankingInput } from '../subgraphs/placements/service.ts';
import { random } from './support/hostile.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

function placement(id: string, fields: Partial<Placement> = {}): Placement {
  return {
    id,
    slot: 'CARD',
    merchantId: `m-${id}`,
    serviceId: `s-${id}`,
    offerId: null,
    category: 'food',
    categories: [],
    title: id,
    subtitle: '',
    imageUrl: '/img.png',
    priority: 50,
    status: 'APPROVED',
    reviewReason: null,
    startsAt: new Date(NOW.getTime() - 100 * DAY),
    endsAt: new Date(NOW.getTime() + 100 * DAY),
    submittedAt: new Date(NOW.getTime() - 100 * DAY),
    idempotencyKey: null,
    ...fields,
  };
}

const inShanghai = () => ['Shanghai'];
const anonymous: RankingInput = { city: 'Shanghai', affinity: new Set(), now: NOW };
const ids = (list: { id: string }[]) => list.map((p) => p.id);

describe('homepage ranking', () => {
  it('never serves a pending, rejected, expired or not yet started placement, whatever its priority', () => {
    const candidates = [
      placement('ok', { priority: 1 }),
      placement('pending', { status: 'PENDING', priority: 100 }),
      placement('rejected', { status: 'REJECTED', priority: 100 }),
      placement('expired', { endsAt: new Date(NOW.getTime() - 1), priority: 100 }),
      placement('ends-now', { endsAt: NOW, priority: 100 }),
      placement('future', { startsAt: new Date(NOW.getTime() + 1), priority: 100 }),
    ];
    expect(ids(rankSection('CARD', candidates, inShanghai, anonymous))).toEqual(['ok']);
  });

  it('serves only the slot asked for, in the city asked for or nationwide', () => {
    const candidates = [placement('card'), placement('banner', { slot: 'BANNER' }), placement('beijing'), placement('everywhere')];
    const cities = (id: string) => (id === 'beijing' ? ['Beijing'] : id === 'everywhere' ? [EVERY_CITY] : ['Shanghai']);
    expect(ids(rankSection('CARD', candidates, cities, anonymous)).sort()).toEqual(['card', 'everywhere']);
  });

  it('keeps two merchants with equal scores in id order, whatever order they arrive in', () => {
    const a = placement('p10', { priority: 40 });
    const b = placement('p2', { priority: 40 });
    const c = placement('p3', { priority: 90 });
    expect(ids(rankSection('CARD', [a, b, c], inShanghai, anonymous))).toEqual(['p3', 'p10', 'p2']);
    expect(ids(rankSection('CARD', [b, c, a], inShanghai, anonymous))).toEqual(['p3', 'p10', 'p2']);
    expect(ids(rankSection('CARD', [c, a, b], inShanghai, anonymous))).toEqual(['p3', 'p10', 'p2']);
  });

  it('shows a merchant at most once per section, with its best placement', () => {
    const candidates = [
      placement('a1', { merchantId: 'm1', priority: 30 }),
      placement('a2', { merchantId: 'm1', priority: 80 }),
      placement('b1', { merchantId: 'm2', priority: 60 }),
    ];
    expect(ids(rankSection('CARD', candidates, inShanghai, anonymous))).toEqual(['a2', 'b1']);
  });

  it('cuts each section to its size', () => {
    const many = Array.from({ length: 30 }, (_, k) => placement(`g${k}`, { slot: 'GRID' }));
    expect(rankSection('GRID', many, inShanghai, anonymous)).toHaveLength(9);
    expect(rankSection('SEARCH_HINT', many.map((p) => ({ ...p, slot: 'SEARCH_HINT' })), inShanghai, anonymous)).toHaveLength(5);
  });

  it('adds 50 for the categories a viewer has an affinity for, and says so', () => {
    const coffee = placement('coffee', { category: 'coffee', priority: 30 });
    const food = placement('food', { category: 'food', priority: 70 });
    expect(ids(rankSection('CARD', [coffee, food], inShanghai, anonymous))).toEqual(['food', 'coffee']);
    const fan: RankingInput = { ...anonymous, affinity: new Set(['coffee']) };
    const ranked = rankSection('CARD', [coffee, food], inShanghai, fan);
    expect(ids(ranked)).toEqual(['coffee', 'food']);
    expect(ranked[0].rank).toEqual({ score: 30 + RANK_WEIGHTS.affinity + RANK_WEIGHTS.cityTargeted, priority: 30, freshness: 0, targeting: 10, affinity: 50 });
  });

  it('adds 20 when the placement targets an audience category the viewer has an affinity for', () => {
    const targeted = placement('t', { categories: ['fitness'] });
    expect(explainRank(targeted, ['Shanghai'], anonymous).targeting).toBe(RANK_WEIGHTS.cityTargeted);
    expect(explainRank(targeted, ['Shanghai'], { ...anonymous, affinity: new Set(['fitness']) }).targeting).toBe(
      RANK_WEIGHTS.cityTargeted + RANK_WEIGHTS.categoryTargeted,
    );
  });

  it('ranks a placement aimed at the city above an equal nationwide one', () => {
    const local = placement('z-local');
    const national = placement('a-national');
    const cities = (id: string) => (id === 'a-national' ? [EVERY_CITY] : ['Shanghai']);
    expect(ids(rankSection('CARD', [national, local], cities, anonymous))).toEqual(['z-local', 'a-national']);
  });

  it('gives a fresh placement up to 14 points, one less per day of age', () => {
    const at = (days: number) => explainRank(placement('f', { startsAt: new Date(NOW.getTime() - days * DAY) }), ['Shanghai'], anonymous).freshness;
    expect([at(0), at(1), at(13), at(14), at(40)]).toEqual([14, 13, 1, 0, 0]);
  });

  it('gives the same order for the same inputs', () => {
    const candidates = Array.from({ length: 40 }, (_, k) =>
      placement(`p${k}`, { merchantId: `m${k % 13}`, priority: (k * 37) % 100, category: ['food', 'coffee', 'hotel'][k % 3] }),
    );
    const input: RankingInput = { ...anonymous, affinity: new Set(['hotel']) };
    const first = ids(rankSection('CARD', candidates, inShanghai, input));
    expect(ids(rankSection('CARD', [...candidates].reverse(), inShanghai, input))).toEqual(first);
  });

  it('stops scanning candidates sorted by priority early, with exactly the answer of a full scan', () => {
    // the same cases every run
    const next = random(7);
    const CATEGORIES = ['food', 'coffee', 'hotel', 'fitness'];
    let looked = 0;
    const scanned = { full: 0, early: 0 };
    for (let round = 0; round < 200; round++) {
      const count = 1 + Math.floor(next() * 300);
      const candidates = Array.from({ length: count }, (_, k) =>
        placement(`p${round}-${k}`, {
          merchantId: `m${Math.floor(next() * 40)}`,
          priority: Math.floor(next() * 101),
          category: CATEGORIES[Math.floor(next() * 4)],
          categories: next() < 0.3 ? [CATEGORIES[Math.floor(next() * 4)]] : [],
          startsAt: new Date(NOW.getTime() - Math.floor(next() * 30) * DAY),
          status: next() < 0.1 ? 'PENDING' : 'APPROVED',
        }),
      );
      const cities = (id: string) => {
        looked++;
        return id.endsWith('0') ? [EVERY_CITY] : ['Shanghai'];
      };
      const input: RankingInput = { ...anonymous, affinity: next() < 0.5 ? new Set([CATEGORIES[Math.floor(next() * 4)]]) : new Set() };
      const size = 1 + Math.floor(next() * 10);
      const byPriority = [...candidates].sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1));
      looked = 0;
      // in generation order, not by priority: a full scan
      const full = rankSection('CARD', candidates, cities, input, { size });
      scanned.full += looked;
      looked = 0;
      expect(rankSection('CARD', byPriority, cities, input, { size, byPriority: true })).toEqual(full);
      scanned.early += looked;
    }
    // and the early stop does happen: far fewer candidates were looked at
    expect(scanned.early).toBeLessThan(scanned.full / 2);
  });
});

