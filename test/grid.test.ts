import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveGrid, pinService, removeService, replaceGrid, type GridEdits } from '../subgraphs/users/service.ts';
import { seedServices, seedUser, WORLD_SIZES } from '../subgraphs/kit/world.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

const DEFAULTS = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9'];
const NONE: GridEdits = { pinned: [], hidden: [], exact: false };
const ids = (grid: { serviceId: string }[]) => grid.map((g) => g.serviceId);

describe('the nine-square grid, as a rule', () => {
  it('a new user gets the default', () => {
    expect(effectiveGrid(null, DEFAULTS)).toEqual(DEFAULTS.map((serviceId, position) => ({ position, serviceId, source: 'DEFAULT' })));
  });

  it('the user\'s own services come first and push the default\'s last ones out', () => {
    const edits = pinService(pinService(NONE, 'x'), 'y', 0);
    expect(ids(effectiveGrid(edits, DEFAULTS))).toEqual(['y', 'x', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7']);
    expect(effectiveGrid(edits, DEFAULTS).slice(0, 3).map((g) => g.source)).toEqual(['USER', 'USER', 'DEFAULT']);
  });

  it('a removed default service never comes back, even when the default changes', () => {
    const edits = removeService(NONE, 'd2');
    expect(ids(effectiveGrid(edits, DEFAULTS))).toEqual(['d1', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9']);
    expect(ids(effectiveGrid(edits, ['d2', 'd10']))).toEqual(['d10']);
  });

  it('pinning a default service makes it the user\'s own, without showing it twice', () => {
    expect(ids(effectiveGrid(pinService(NONE, 'd5', 0), DEFAULTS))).toEqual(['d5', 'd1', 'd2', 'd3', 'd4', 'd6', 'd7', 'd8', 'd9']);
  });

  it('setGrid is exactly what the user chose, and bounded to nine distinct services', () => {
    expect(ids(effectiveGrid(replaceGrid(['a', 'b']), DEFAULTS))).toEqual(['a', 'b']);
    expect(() => replaceGrid(Array.from({ length: 10 }, (_, k) => `s${k}`))).toThrow(/at most 9/);
    expect(() => replaceGrid(['a', 'a'])).toThrow(/once/);
  });

  it('a full grid of the user\'s own refuses another pin, and positions stay 0-8', () => {
    const full = replaceGrid(Array.from({ length: 9 }, (_, k) => `s${k}`));
    expect(() => pinService(full, 'new')).toThrow(/full/);
    expect(ids(effectiveGrid(pinService(full, 's8', 0), DEFAULTS))[0]).toBe('s8');
    expect(() => pinService(NONE, 'x', 9)).toThrow(/position/);
    expect(() => pinService(NONE, 'x', -1)).toThrow(/position/);
  });
});

const GRID = `{ me { city grid { position source service { id title } } } }`;
const HOME = `query Home($city: String!) { me { grid { service { id } } } homepage(city: $city) { grid { service { id } } } }`;

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

async function gridOf(user: string): Promise<{ position: number; source: string; service: { id: string; title: string } }[]> {
  const { status, body } = await plaza.query(GRID, {}, { user });
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  return body.data.me.grid;
}

async function edit(user: string, mutation: string): Promise<string[]> {
  const { body } = await plaza.query(`mutation { ${mutation} { grid { service { id } } } }`, {}, { user });
  expect(body.errors).toBeUndefined();
  return Object.values(body.data as Record<string, { grid: { service: { id: string } }[] }>)[0].grid.map((g) => g.service.id);
}

describe('the nine-square grid, through the gateway', () => {
  it('a new user starts with their city\'s homepage grid', async () => {
    const user = 'u2501';
    const { body } = await plaza.query(HOME, { city: seedUser(2500).city }, { user });
    expect(body.errors).toBeUndefined();
    expect(body.data.me.grid).toHaveLength(9);
    expect(body.data.me.grid).toEqual(body.data.homepage.grid);
  });

  it('grid edits persist and show in the next homepage query', async () => {
    const user = 'u2502';
    const city = seedUser(2501).city;
    const start = (await gridOf(user)).map((g) => g.service.id);
    expect(start).toHaveLength(9);

    expect(await edit(user, 'pinService(serviceId: "s300-3", position: 0)')).toEqual(['s300-3', ...start.slice(0, 8)]);
    expect(await edit(user, `removeService(serviceId: "${start[0]}")`)).toEqual(['s300-3', ...start.slice(1, 9)]);
    expect(await edit(user, `moveService(serviceId: "${start[4]}", position: 0)`)).toEqual([start[4], 's300-3', ...start.slice(1, 9).filter((s) => s !== start[4])]);

    const { body } = await plaza.query(HOME, { city }, { user });
    expect(body.errors).toBeUndefined();
    const shown = body.data.me.grid.map((g: { service: { id: string } }) => g.service.id);
    expect(shown.slice(0, 2)).toEqual([start[4], 's300-3']);
    expect(shown).not.toContain(start[0]);
    const grid = await gridOf(user);
    expect(grid.slice(0, 2).map((g) => g.source)).toEqual(['USER', 'USER']);
    expect(grid.slice(2).every((g) => g.source === 'DEFAULT')).toBe(true);
    expect(grid.map((g) => g.position)).toEqual(grid.map((_, k) => k));
    expect(grid[1].service.title).toBe(seedServices(299, WORLD_SIZES.small)[2].title);

    expect(await edit(user, 'setGrid(serviceIds: ["s1-1", "s2-1"])')).toEqual(['s1-1', 's2-1']);
    expect((await gridOf(user)).map((g) => g.service.id)).toEqual(['s1-1', 's2-1']);
    // another user's grid is untouched
    expect((await gridOf('u2503')).every((g) => g.source === 'DEFAULT')).toBe(true);
  });

  it('refuses grid edits from anonymous callers and oversized or repeated grids', async () => {
    const anonymous = await plaza.query('mutation { pinService(serviceId: "s1-1") { id } }');
    expect(anonymous.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const ten = JSON.stringify(Array.from({ length: 10 }, (_, k) => `s${k + 1}-1`));
    for (const mutation of [`setGrid(serviceIds: ${ten})`, 'setGrid(serviceIds: ["s1-1", "s1-1"])', 'moveService(serviceId: "s1-1", position: 9)']) {
      const { status, body } = await plaza.query(`mutation { ${mutation} { id } }`, {}, { user: 'u2504' });
      expect(status).toBe(200);
      expect(body.errors?.[0].extensions?.code, mutation).toBe('BAD_USER_INPUT');
    }
  });

  it('keeps every edit when two arrive at once', async () => {
    const user = 'u2505';
    await Promise.all(['s10-1', 's11-1', 's12-1', 's13-1'].map((s) => plaza.query(`mutation { pinService(serviceId: "${s}") { id } }`, {}, { user })));
    const mine = (await gridOf(user)).filter((g) => g.source === 'USER').map((g) => g.service.id);
    expect([...mine].sort()).toEqual(['s10-1', 's11-1', 's12-1', 's13-1']);
  });
});
