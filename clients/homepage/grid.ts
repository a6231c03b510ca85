/**
 * The nine-square grid, editable in place by a signed-in user: "Edit grid" shows, on each
 * tile, buttons to move it earlier or later and to remove it, and a catalogue of services
 * to add (the city's default grid services, then those of the merchants `search` finds in
 * the city); "Done" leaves edit mode. Every edit is one mutation (RemoveService,
 * MoveService or SetGrid, PinService), and the grid shown is always the one the mutation
 * answered with; a refused edit leaves the grid as it was and says why. Anonymous visitors
 * see the grid and are asked to sign in to edit it.
 */
import {
  GridCatalogueDocument,
  MoveServiceDocument,
  PinServiceDocument,
  RemoveServiceDocument,
  SetGridDocument,
  type HomepageFeedQuery,
} from './generated/graphql.ts';
import { categoryIcon } from './icons.ts';
import type { createPersistedClient } from '../shared/persisted.ts';
import { el, errorMessage } from '../shared/dom.ts';

type Client = ReturnType<typeof createPersistedClient>;

/** How many catalogue services show at once (typing in its search box finds others). */
const CATALOGUE_SHOWN = 12;

/** One square of the signed-in user's grid, as the feed and every grid mutation answer it. */
export type GridEntry = NonNullable<HomepageFeedQuery['me']>['grid'][number];

/** A tile as the page shows it (the city's grid has no service id for an empty placement). */
export type GridTile = { title: string; category: string; serviceId?: string; merchantId?: string; merchantName?: string };

type CatalogueItem = { serviceId: string; title: string; category: string; merchantName: string };

/** What a move asks of the server: moveService when it gives exactly the order shown, else the whole order. */
export type MovePlan = { kind: 'move'; serviceId: string; position: number } | { kind: 'set'; serviceIds: string[] };

/**
 * Plans swapping the tiles at `from` and `to` (neighbours). The user's own tiles (USER)
 * come first; moveService puts a service among them only, so it is used when the target
 * position is within them (moving either of the two tiles), and setGrid otherwise.
 */
export function planMove(entries: readonly GridEntry[], from: number, to: number): MovePlan {
  const own = entries.filter((e) => e.source === 'USER').length;
  const ownWithout = (e: GridEntry) => own - (e.source === 'USER' ? 1 : 0);
  if (to <= ownWithout(entries[from])) return { kind: 'move', serviceId: entries[from].service.id, position: to };
  if (from <= ownWithout(entries[to])) return { kind: 'move', serviceId: entries[to].service.id, position: from };
  const serviceIds = entries.map((e) => e.service.id);
  [serviceIds[from], serviceIds[to]] = [serviceIds[to], serviceIds[from]];
  return { kind: 'set', serviceIds };
}

export interface GridEditorOptions {
  client: Client;
  city: string;
  /** The mini-program page of a merchant, signed in as the page is. */
  link: (merchantId: string | undefined) => string;
}

export function createGridEditor({ client, city, link }: GridEditorOptions) {
  const section = el('section', { 'aria-label': 'Services' });
  let signedIn = false;
  /** The page's grid before any edit: the user's own, else the city's. */
  let shown: GridTile[] = [];
  /** The signed-in user's grid as the server last gave it. */
  let own: GridEntry[] = [];
  let edited = false;
  let editing = false;
  let busy = false;
  let error: string | null = null;
  /** The button to focus again after the grid is drawn anew. */
  let focusKey: string | null = null;

  // the catalogue keeps its search box across redraws (typing is never interrupted)
  const catalogueList = el('ul', { class: 'catalogue-list', 'data-testid': 'catalogue' });
  const catalogueStatus = el('p', { class: 'muted', role: 'status' });
  const catalogueSearch = el('input', { type: 'search', class: 'search', 'aria-label': 'Find a service to add', placeholder: '搜索服务', maxlength: '100' });
  const catalogueBox = el(
    'div',
    { class: 'catalogue', 'data-testid': 'grid-catalogue' },
    el('h3', {}, 'Add a service'),
    catalogueSearch,
    catalogueStatus,
    catalogueList,
  );
  let catalogue: CatalogueItem[] = [];
  let asked = 0;
  catalogueSearch.addEventListener('input', () => void loadCatalogue());

  function entryTile(e: GridEntry): GridTile {
    return { title: e.service.title, category: e.service.category, serviceId: e.service.id, merchantId: e.service.merchant.id, merchantName: e.service.merchant.name };
  }

  async function loadCatalogue(): Promise<void> {
    const query = catalogueSearch.value.trim();
    const mine = ++asked;
    catalogueStatus.textContent = 'Finding services…';
    try {
      const { data } = await client.run(GridCatalogueDocument, { city, query });
      if (mine !== asked) return;
      const items: CatalogueItem[] = [];
      // the city's default services first (to bring one back), but only when nothing is typed
      if (!query) {
        for (const g of data.homepage.grid) {
          if (g.service) items.push({ serviceId: g.service.id, title: g.service.title, category: g.service.category, merchantName: g.service.merchant.name });
        }
      }
      for (const edge of data.search.edges) {
        for (const s of edge.node.services) items.push({ serviceId: s.id, title: s.title, category: s.category, merchantName: edge.node.name });
      }
      const seen = new Set<string>();
      catalogue = items.filter((item) => !seen.has(item.serviceId) && seen.add(item.serviceId));
      catalogueStatus.textContent = '';
    } catch (e) {
      if (mine !== asked) return;
      catalogue = [];
      catalogueStatus.textContent = `The services could not be loaded: ${errorMessage(e)}`;
    }
    drawCatalogue();
  }

  function drawCatalogue(): void {
    const onGrid = new Set(own.map((e) => e.service.id));
    const items = catalogue.filter((item) => !onGrid.has(item.serviceId)).slice(0, CATALOGUE_SHOWN);
    if (items.length === 0 && catalogueStatus.textContent === '') {
      catalogueList.replaceChildren(el('li', { class: 'muted' }, 'No services to add'));
      return;
    }
    catalogueList.replaceChildren(
      ...items.map((item) =>
        el(
          'li',
          { 'data-testid': 'catalogue-item', 'data-service-id': item.serviceId },
          el(
            'button',
            {
              type: 'button',
              class: 'catalogue-add',
              'aria-label': `Add ${item.title} (${item.merchantName}) to your grid`,
              'data-focus-key': `add:${item.serviceId}`,
              disabled: busy ? '' : false,
              onclick: () => void add(item),
            },
            categoryIcon(item.category, 24),
            el('span', { class: 'catalogue-title' }, item.title, el('span', { class: 'muted' }, ` · ${item.merchantName}`)),
            el('span', { class: 'catalogue-plus', 'aria-hidden': 'true' }, '+'),
          ),
        ),
      ),
    );
  }

  /** Runs one edit; the grid becomes the one the server answers with, or stays as it was with the reason shown. */
  async function edit(failure: string, mutate: () => Promise<GridEntry[]>, focus: string | null): Promise<void> {
    if (busy) return;
    busy = true;
    error = null;
    draw();
    try {
      own = await mutate();
      edited = true;
      focusKey = focus;
    } catch (e) {
      error = `${failure}: ${errorMessage(e)}`;
    } finally {
      busy = false;
      draw();
    }
  }

  function remove(e: GridEntry): Promise<void> {
    const next = own[own.indexOf(e) + 1] ?? own[own.indexOf(e) - 1];
    return edit(
      `${e.service.title} could not be removed`,
      async () => (await client.run(RemoveServiceDocument, { serviceId: e.service.id })).data.removeService.grid,
      next ? `remove:${next.service.id}` : 'done',
    );
  }

  function move(index: number, by: -1 | 1): Promise<void> {
    const e = own[index];
    const plan = planMove(own, index, index + by);
    return edit(
      `${e.service.title} could not be moved`,
      async () =>
        plan.kind === 'move'
          ? (await client.run(MoveServiceDocument, { serviceId: plan.serviceId, position: plan.position })).data.moveService.grid
          : (await client.run(SetGridDocument, { serviceIds: plan.serviceIds })).data.setGrid.grid,
      `${by < 0 ? 'earlier' : 'later'}:${e.service.id}`,
    );
  }

  function add(item: CatalogueItem): Promise<void> {
    return edit(
      `${item.title} could not be added`,
      async () => (await client.run(PinServiceDocument, { serviceId: item.serviceId })).data.pinService.grid,
      `remove:${item.serviceId}`,
    );
  }

  function setEditing(on: boolean): void {
    editing = on;
    error = null;
    focusKey = on ? 'done' : 'edit';
    if (on) {
      catalogueSearch.value = '';
      void loadCatalogue();
    }
    draw();
  }

  function viewTile(tile: GridTile): HTMLElement {
    return el(
      'li',
      { class: 'grid-item', 'data-service-id': tile.serviceId },
      el('a', { href: link(tile.merchantId), title: tile.merchantName ?? tile.title }, categoryIcon(tile.category), el('span', { class: 'label' }, tile.title)),
    );
  }

  function editTile(e: GridEntry, index: number): HTMLElement {
    const { title, id } = e.service;
    // titles repeat between merchants (many sell 在线点单): labels name the merchant too
    const name = `${title} (${e.service.merchant.name})`;
    const button = (label: string, text: string, key: string, testId: string, disabled: boolean, onclick: () => void) =>
      el('button', { type: 'button', class: 'tile-button', 'aria-label': label, 'data-testid': testId, 'data-focus-key': `${key}:${id}`, disabled: disabled || busy ? '' : false, onclick }, text);
    return el(
      'li',
      { class: 'grid-item editing', 'data-service-id': id },
      el('div', { class: 'tile-body' }, categoryIcon(e.service.category), el('span', { class: 'label' }, title), el('span', { class: 'tile-merchant muted' }, e.service.merchant.name)),
      el(
        'div',
        { class: 'tile-actions' },
        button(`Move ${name} earlier`, '◀', 'earlier', 'tile-earlier', index === 0, () => void move(index, -1)),
        button(`Remove ${name}`, '✕', 'remove', 'tile-remove', false, () => void remove(e)),
        button(`Move ${name} later`, '▶', 'later', 'tile-later', index === own.length - 1, () => void move(index, 1)),
      ),
    );
  }

  function draw(): void {
    const toolbar = el('div', { class: 'grid-toolbar' });
    if (!signedIn) {
      toolbar.append(el('span', { class: 'muted', 'data-testid': 'grid-sign-in' }, 'Sign in to edit your grid'));
    } else if (editing) {
      toolbar.append(
        el('span', { class: 'muted', role: 'status' }, busy ? 'Saving…' : `${own.length} of 9 · saved as you edit`),
        el('button', { type: 'button', class: 'grid-mode primary', 'data-testid': 'grid-done', 'data-focus-key': 'done', onclick: () => setEditing(false) }, 'Done'),
      );
    } else {
      toolbar.append(el('button', { type: 'button', class: 'grid-mode', 'data-testid': 'grid-edit', 'data-focus-key': 'edit', 'aria-label': 'Edit your grid', onclick: () => setEditing(true) }, 'Edit grid'));
    }
    const list = el('ul', { class: editing ? 'grid editing' : 'grid', 'data-testid': 'grid', 'aria-busy': busy ? 'true' : 'false' });
    if (editing) list.append(...own.map(editTile));
    else list.append(...(edited ? own.map(entryTile) : shown).map(viewTile));
    section.replaceChildren(
      toolbar,
      error ? el('p', { class: 'error grid-error', role: 'alert', 'data-testid': 'grid-error' }, error) : '',
      list,
      (editing || edited) && own.length === 0 ? el('p', { class: 'muted', 'data-testid': 'grid-empty' }, 'Your grid is empty: add services from the list below.') : '',
    );
    if (editing) {
      drawCatalogue();
      section.append(catalogueBox);
    }
    if (focusKey && document.activeElement !== catalogueSearch) {
      const target = section.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusKey)}"]`);
      if (target && !target.hasAttribute('disabled')) {
        target.focus();
        focusKey = null;
      }
    }
  }

  return {
    section,
    /** Takes the feed's grid (kept while the user edits: the mutations' answers are newer). */
    update(data: HomepageFeedQuery, fallback: GridTile[]): void {
      signedIn = data.me !== null;
      shown = fallback;
      if (!edited && !busy) own = data.me?.grid ?? [];
      draw();
    },
  };
}
