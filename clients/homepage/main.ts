/**
 * The super-app homepage: the city's service grid, banners and recommendation cards
 * (with each card's merchant offers) and the signed-in user's points, all from ONE
 * persisted query (HomepageFeed.graphql). The cards are deferred: the grid shows first,
 * the cards replace their placeholder when they arrive.
 *
 * URL: /homepage/?city=Shanghai#token=<bearer token>. The host app hands the page the
 * user's token in the fragment, which never reaches a server log.
 */
import './style.css';
import { HomepageFeedDocument, type HomepageFeedQuery } from './generated/graphql.ts';
import manifest from './generated/persisted-documents.json' with { type: 'json' };
import { createPersistedClient } from '../shared/persisted.ts';
import { el, initialOf, readToken, show, showBusy, showError } from '../shared/dom.ts';

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

function renderGrid(grid: Feed['grid']): HTMLElement {
  return el(
    'section',
    { 'aria-label': 'Services' },
    el('h2', {}, 'Services'),
    el(
      'ul',
      { class: 'grid', 'data-testid': 'grid' },
      ...grid.map((item) =>
        el('li', { class: 'grid-item' }, el('a', { href: item.service?.deepLink ?? '#', title: item.service?.merchant.name ?? item.title }, el('span', { class: 'tile' }, initialOf(item.title)), el('span', { class: 'label' }, item.title))),
      ),
    ),
  );
}

function renderBanners(banners: Feed['banners']): HTMLElement | null {
  if (banners.length === 0) return null;
  return el(
    'section',
    { 'aria-label': 'Banners' },
    el('ul', { class: 'banners', 'data-testid': 'banners' }, ...banners.map((b) => el('li', { class: 'banner' }, el('a', { href: b.service?.deepLink ?? '#' }, el('strong', {}, b.title), el('span', {}, b.subtitle))))),
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
          el('h3', {}, card.title),
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
  try {
    // shown as the parts arrive: the grid first, the cards when they come
    const render = ({ data, errors, complete }: { data: HomepageFeedQuery; errors: { path?: (string | number)[] }[]; complete: boolean }) => {
      renderPoints(data.me);
      const cards = data.homepage.cards;
      const sections = [renderGrid(data.homepage.grid), renderBanners(data.homepage.banners), cards ? renderCards(cards) : complete ? null : cardsPlaceholder()];
      // an anonymous visitor's `me` fields are refused by design; anything else is worth a notice
      const missing = errors.filter((e) => token || e.path?.[0] !== 'me');
      const notice = missing.length ? el('p', { class: 'notice', role: 'status' }, 'Some parts of the page could not be loaded.') : null;
      show(app, notice, ...sections);
      if (complete && data.homepage.grid.length === 0 && !cards?.length) app.append(el('p', { class: 'muted' }, `Nothing is placed in ${city} yet.`));
    };
    await client.run(HomepageFeedDocument, { city }, render);
  } catch (error) {
    showError(app, 'The homepage could not be loaded', error, () => void load());
  }
}

void load();
