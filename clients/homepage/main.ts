/**
 * The super-app homepage, its positions in the app's order: the search bar (typing
 * suggests merchants from `search`), the user's own grid, news, banners, recommendation
 * cards (with each card's merchant offers) and the basement, and the signed-in user's
 * points, all from ONE persisted query (HomepageFeed.graphql). The cards are deferred:
 * the rest shows first, the cards replace their placeholder when they arrive. Every item
 * opens its merchant's mini-program page. A signed-in user edits their grid in place
 * (grid.ts).
 *
 * URL: /homepage/?city=Shanghai#token=<bearer token>. The host app hands the page the
 * user's token in the fragment, which never reaches a server log.
 */
import './style.css';
import { HomepageFeedDocument, SearchSuggestionsDocument, type HomepageFeedQuery } from './generated/graphql.ts';
import { categoryIcon } from './icons.ts';
import manifest from './generated/persisted-documents.json' with { type: 'json' };
import { createPersistedClient } from '../shared/persisted.ts';
import { el, errorMessage, readToken, show, showBusy, showError } from '../shared/dom.ts';
import { createGridEditor, type GridTile } from './grid.ts';

const params = new URLSearchParams(location.search);
const city = params.get('city') || 'Shanghai';
const token = readToken();
const client = createPersistedClient({ clientName: 'homepage', clientVersion: '1.0.0', manifest, token: () => token });

const app = document.getElementById('app')!;
const pointsBox = document.getElementById('points')!;
document.getElementById('city')!.textContent = city;

type Feed = HomepageFeedQuery['homepage'];

function renderPoints(me: HomepageFeedQuery['me']): void {
  if (!me) {
    pointsBox.replaceChildren(el('span', { class: 'muted', 'data-testid': 'signed-out' }, 'Sign in to see your points'));
    return;
  }
  const points = me.points;
  pointsBox.replaceChildren(
    el('span', { class: 'nickname' }, me.nickname),
    points
      ? el('span', { 'data-testid': 'points' }, el('strong', { 'data-testid': 'points-balance' }, String(points.balance)), ' points · ', points.tier)
      : el('span', { class: 'muted' }, 'No points yet'),
  );
}

/** The mini-program page of a merchant, signed in as this page is. */
function miniProgramLink(merchantId: string | undefined): string {
  if (!merchantId) return '#';
  return `/miniprogram/?merchant=${encodeURIComponent(merchantId)}${token ? `#token=${encodeURIComponent(token)}` : ''}`;
}

/** The user's own grid when signed in (their edits, then their city's default), else the city's. */
function gridTiles(data: HomepageFeedQuery): GridTile[] {
  if (data.me?.grid.length) {
    return data.me.grid.map((g) => ({ title: g.service.title, category: g.service.category, serviceId: g.service.id, merchantId: g.service.merchant.id, merchantName: g.service.merchant.name }));
  }
  return data.homepage.grid.map((g) => ({
    title: g.service?.title ?? g.title,
    category: g.service?.category ?? '',
    serviceId: g.service?.id,
    merchantId: g.service?.merchant.id,
    merchantName: g.service?.merchant.name,
  }));
}

/** The search bar: the first hint as its placeholder; typing suggests merchants and their matching services. */
function renderSearch(hints: Feed['searchHints']): HTMLElement {
  const suggestions = el('ul', { class: 'suggestions', 'data-testid': 'suggestions', role: 'listbox' });
  const input = el('input', {
    type: 'search',
    class: 'search',
    'aria-label': 'Search merchants and services',
    placeholder: hints[0] ? `搜索 ${hints[0].title.split('：')[0]}` : '搜索商家和服务',
    maxlength: '100',
  });
  let asked = 0;
  input.addEventListener('input', () => {
    const query = input.value.trim();
    const mine = ++asked;
    if (!query) {
      suggestions.replaceChildren();
      return;
    }
    client
      .run(SearchSuggestionsDocument, { query, city })
      .then(({ data }) => {
        // an answer to an older keystroke is dropped
        if (mine !== asked) return;
        suggestions.replaceChildren(
          ...(data.search.edges.length === 0
            ? [el('li', { class: 'muted' }, '没有找到相关商家')]
            : data.search.edges.map((edge) =>
                el(
                  'li',
                  { role: 'option', 'data-testid': 'suggestion' },
                  el(
                    'a',
                    { href: miniProgramLink(edge.node.id) },
                    categoryIcon(edge.node.category, 24),
                    el('span', {}, edge.node.name, edge.services.length ? el('span', { class: 'muted' }, ` · ${edge.services.map((s) => s.title).join(' · ')}`) : ''),
                  ),
                ),
              )),
        );
      })
      .catch((error: unknown) => {
        if (mine === asked) suggestions.replaceChildren(el('li', { class: 'error', role: 'alert' }, errorMessage(error)));
      });
  });
  return el('section', { 'aria-label': 'Search', class: 'search-bar', 'data-testid': 'search' }, input, suggestions);
}

function renderNews(news: Feed['news']): HTMLElement | null {
  if (news.length === 0) return null;
  return el(
    'section',
    { 'aria-label': 'News' },
    el('h2', {}, '本地资讯'),
    el('ul', { class: 'news', 'data-testid': 'news' }, ...news.map((n) => el('li', {}, el('a', { href: miniProgramLink(n.merchant?.id) }, el('strong', {}, n.title), el('span', { class: 'muted' }, ` ${n.subtitle}`))))),
  );
}

function renderBanners(banners: Feed['banners']): HTMLElement | null {
  if (banners.length === 0) return null;
  return el(
    'section',
    { 'aria-label': 'Banners' },
    el(
      'ul',
      { class: 'banners', 'data-testid': 'banners' },
      ...banners.map((b) => el('li', { class: 'banner' }, el('a', { href: miniProgramLink(b.merchant?.id) }, categoryIcon(b.category, 32), el('strong', {}, b.title), el('span', {}, b.subtitle)))),
    ),
  );
}

function renderBasement(items: Feed['basement']): HTMLElement | null {
  if (items.length === 0) return null;
  return el(
    'section',
    { 'aria-label': 'More', class: 'basement' },
    el('h2', {}, '更多好店'),
    el('ul', { class: 'basement-list', 'data-testid': 'basement' }, ...items.map((b) => el('li', {}, el('a', { href: miniProgramLink(b.merchant?.id) }, categoryIcon(b.category, 24), el('span', {}, b.title))))),
  );
}

type Cards = NonNullable<Feed['cards']>;

/** The cards' place while they are on their way. */
function cardsPlaceholder(): HTMLElement {
  return el('section', { 'aria-label': 'Recommended', 'aria-busy': 'true', 'data-testid': 'cards-loading' }, el('h2', {}, 'Recommended for you'), el('p', { class: 'muted' }, 'Finding recommendations…'));
}

function renderCards(cards: Cards): HTMLElement {
  return el(
    'section',
    { 'aria-label': 'Recommended' },
    el('h2', {}, 'Recommended for you'),
    el(
      'div',
      { class: 'cards' },
      ...cards.map((card) =>
        el(
          'article',
          { class: 'card', 'data-testid': 'card' },
          el('a', { href: miniProgramLink(card.service?.merchant.id), class: 'card-head' }, categoryIcon(card.category, 32), el('h3', {}, card.title)),
          el('p', { class: 'subtitle' }, card.subtitle),
          el('p', { class: 'merchant', 'data-testid': 'card-merchant' }, card.service?.merchant.name ?? ''),
          // offers are null while the coupons subgraph is unavailable: the card still renders
          card.service?.merchant.offers?.length
            ? el('ul', { class: 'offers', 'data-testid': 'card-offers' }, ...card.service.merchant.offers.map((o) => el('li', {}, o.title, el('span', { class: 'stock' }, ` · ${o.remainingStock} left`))))
            : el('p', { class: 'muted' }, 'No offers right now'),
        ),
      ),
    ),
  );
}

async function load(): Promise<void> {
  showBusy(app, 'Loading your homepage…');
  // one grid per load: it keeps its edit mode and edits while the deferred cards arrive
  const grid = createGridEditor({ client, city, link: miniProgramLink });
  try {
    // shown as the parts arrive: the grid first, the cards when they come
    const render = ({ data, errors, complete }: { data: HomepageFeedQuery; errors: { path?: (string | number)[] }[]; complete: boolean }) => {
      renderPoints(data.me);
      const cards = data.homepage.cards;
      grid.update(data, gridTiles(data));
      // the positions in the order the app shows them
      const sections = [
        renderSearch(data.homepage.searchHints),
        grid.section,
        renderNews(data.homepage.news),
        renderBanners(data.homepage.banners),
        cards ? renderCards(cards) : complete ? null : cardsPlaceholder(),
        renderBasement(data.homepage.basement),
      ];
      // an anonymous visitor's `me` fields are refused by design; anything else is worth a notice
      const missing = errors.filter((e) => token || e.path?.[0] !== 'me');
      const notice = missing.length ? el('p', { class: 'notice', role: 'status' }, 'Some parts of the page could not be loaded.') : null;
      show(app, notice, ...sections);
      if (complete && gridTiles(data).length === 0 && !cards?.length) app.append(el('p', { class: 'muted' }, `Nothing is placed in ${city} yet.`));
    };
    await client.run(HomepageFeedDocument, { city }, render);
  } catch (error) {
    showError(app, 'The homepage could not be loaded', error, () => void load());
  }
}

void load();
