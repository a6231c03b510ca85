import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seedServices, WORLD_SIZES } from '../../subgraphs/kit/world.ts';
import { screenshot, useBrowserPlaza, WAIT, watchedPage } from './browser.ts';

const env = useBrowserPlaza({ pages: { clientPages: true } });

const GRID = '{ me { grid { source service { id } } } }';

/** The service ids of the grid's tiles, in the order the page shows them. */
function tileIds(page: Page): Promise<string[]> {
  return page.getByTestId('grid').locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-service-id') ?? ''));
}

async function serverGrid(user: string): Promise<{ source: string; service: { id: string } }[]> {
  const answer = await env.plaza.query(GRID, {}, { user });
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data.me.grid;
}

/** Signs in, removes a tile, moves two, adds one from the catalogue, leaves edit mode, reloads: the edited grid is still there. */
async function editsPersist(user: string, viewport: { width: number; height: number }): Promise<void> {
  const { page, context, outside } = await watchedPage(env.browser);
  const operations: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/graphql') && request.method() === 'POST') operations.push(request.postDataJSON().operationName);
  });
  await page.setViewportSize(viewport);
  await page.goto(`${env.origin}/homepage/?city=Shanghai#token=${await env.plaza.tokenFor(user)}`);

  const tiles = page.getByTestId('grid').locator('li');
  await expect.poll(() => tiles.count(), WAIT).toBeGreaterThan(3);
  const before = await tileIds(page);
  // a fresh user's grid is their city's default, as the server has it
  expect(before).toEqual((await serverGrid(user)).map((g) => g.service.id));

  await page.getByRole('button', { name: 'Edit your grid' }).click();
  await expect.poll(() => page.getByTestId('grid-done').isVisible(), WAIT).toBe(true);
  const catalogue = page.getByTestId('catalogue-item');
  await expect.poll(() => catalogue.count(), WAIT).toBeGreaterThan(0);
  // every tile has its buttons, each named for what it does
  const second = tiles.nth(1);
  const secondTitle = await second.locator('.label').innerText();
  expect(await second.getByRole('button', { name: `Remove ${secondTitle}` }).isVisible()).toBe(true);
  await screenshot(page, `grid-editing-${viewport.width}-edit`);

  // remove the second tile
  await second.getByRole('button', { name: `Remove ${secondTitle}` }).click();
  let expected = before.filter((_, i) => i !== 1);
  await expect.poll(() => tileIds(page), WAIT).toEqual(expected);

  // move the third tile one earlier (default tiles: the whole order is set)
  await tiles.nth(2).getByTestId('tile-earlier').click();
  expected = [expected[0], expected[2], expected[1], ...expected.slice(3)];
  await expect.poll(() => tileIds(page), WAIT).toEqual(expected);

  // move the first tile one later (the user's own tiles: moved in place)
  await tiles.nth(0).getByTestId('tile-later').click();
  expected = [expected[1], expected[0], ...expected.slice(2)];
  await expect.poll(() => tileIds(page), WAIT).toEqual(expected);

  // add a service from the catalogue: it goes after the user's own
  await expect.poll(() => page.getByTestId('grid').getAttribute('aria-busy'), WAIT).toBe('false');
  const pick = catalogue.first();
  const added = (await pick.getAttribute('data-service-id'))!;
  expect(expected).not.toContain(added);
  await pick.getByRole('button').click();
  expected = [...expected, added];
  await expect.poll(() => tileIds(page), WAIT).toEqual(expected);
  // what is on the grid is no longer offered
  await expect.poll(() => page.locator(`[data-testid="catalogue-item"][data-service-id="${added}"]`).count(), WAIT).toBe(0);
  expect(await page.getByTestId('grid-error').count()).toBe(0);

  await page.getByTestId('grid-done').click();
  await expect.poll(() => page.getByTestId('grid-edit').isVisible(), WAIT).toBe(true);
  expect(await page.getByTestId('grid-catalogue').count()).toBe(0);
  expect(await tileIds(page)).toEqual(expected);
  // out of edit mode the tiles open their mini-programs again
  expect(await tiles.locator('a').count()).toBe(expected.length);

  // the edits were each one persisted mutation
  expect(operations).toEqual(expect.arrayContaining(['RemoveService', 'SetGrid', 'MoveService', 'PinService', 'GridCatalogue']));

  // reloaded, the page shows exactly the edited grid, and so does the server
  await page.reload();
  await expect.poll(() => tileIds(page), WAIT).toEqual(expected);
  const server = await serverGrid(user);
  expect(server.map((g) => g.service.id)).toEqual(expected);
  expect(server.every((g) => g.source === 'USER')).toBe(true);
  await screenshot(page, `grid-editing-${viewport.width}-reloaded`);
  expect(outside).toEqual([]);
  await context.close();
}

describe('editing the grid on the homepage page', () => {
  it('removes, moves and adds tiles on a phone (390×844), and the grid stays edited after a reload', async () => {
    await editsPersist('u77', { width: 390, height: 844 });
  });

  it('removes, moves and adds tiles on a desktop (1280×900), and the grid stays edited after a reload', async () => {
    await editsPersist('u78', { width: 1280, height: 900 });
  });

  it('shows why a full grid refuses a service and keeps the grid as the server has it', async () => {
    const user = 'u79';
    const nine = Array.from({ length: 9 }, (_, i) => seedServices(i, WORLD_SIZES.small)[0].id);
    const set = await env.plaza.query('mutation ($ids: [ID!]!) { setGrid(serviceIds: $ids) { id } }', { ids: nine }, { user });
    expect(set.body.errors).toBeUndefined();
    const { page, context, outside } = await watchedPage(env.browser);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${env.origin}/homepage/?city=Shanghai#token=${await env.plaza.tokenFor(user)}`);
    await expect.poll(() => tileIds(page), WAIT).toEqual(nine);

    await page.getByTestId('grid-edit').click();
    const catalogue = page.getByTestId('catalogue-item');
    await expect.poll(() => catalogue.count(), WAIT).toBeGreaterThan(0);
    await catalogue.first().getByRole('button').click();
    const error = page.getByTestId('grid-error');
    await expect.poll(() => error.isVisible(), WAIT).toBe(true);
    expect(await error.getAttribute('role')).toBe('alert');
    expect(await error.innerText()).toMatch(/could not be added: the grid is full \(9\); remove a service first \(BAD_USER_INPUT\)/);
    expect(await tileIds(page)).toEqual(nine);
    expect((await serverGrid(user)).map((g) => g.service.id)).toEqual(nine);
    await screenshot(page, 'grid-editing-full');

    // removing one makes room: the error goes and the grid is the server's answer
    await page.getByTestId('grid').locator('li').last().getByTestId('tile-remove').click();
    await expect.poll(() => tileIds(page), WAIT).toEqual(nine.slice(0, 8));
    expect(await error.count()).toBe(0);
    expect(outside).toEqual([]);
    await context.close();
  });

  it('offers an anonymous visitor no edit button, and asks them to sign in', async () => {
    const { page, context, outside } = await watchedPage(env.browser);
    await page.goto(`${env.origin}/homepage/?city=Shanghai`);
    await expect.poll(() => page.getByTestId('grid').locator('li').count(), WAIT).toBeGreaterThan(0);
    expect(await page.getByTestId('grid-sign-in').innerText()).toBe('Sign in to edit your grid');
    expect(await page.getByTestId('grid-edit').count()).toBe(0);
    expect(await page.getByTestId('tile-remove').count()).toBe(0);
    expect(outside).toEqual([]);
    await context.close();
  });
});
