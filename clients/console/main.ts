/**
 * The merchant console: the signed-in merchant's placements with their review status,
 * the reviewer's reason and their schedule, and what each brought, by day: impressions
 * served per placement, claims and redemptions per offer, new members and repurchases
 * (the merchant's user assets). Every figure comes from the graph, for the token's
 * `merchant:<id>` scope only; another merchant's figures are refused (FORBIDDEN).
 *
 * The merchant also submits new placements here: a form picks one of its own services
 * (and, optionally, one of its own offers) from the lists the console loaded, the slot,
 * title and subtitle, the cities (its stores' cities, or others typed in) and the
 * schedule; the placement Plaza answers with (PENDING, waiting for review) joins the list
 * at once, and a refusal is shown with its message and code.
 *
 * URL: /console/?merchant=m1#token=<bearer token with the scope merchant:m1>.
 */
import '../homepage/style.css';
import './style.css';
import { MerchantConsoleDocument, type MerchantConsoleQuery } from './generated/graphql.ts';
import { placementForm, SLOTS } from './submit.ts';
import manifest from './generated/persisted-documents.json' with { type: 'json' };
import { createPersistedClient } from '../shared/persisted.ts';
import { el, readToken, show, showBusy, showError } from '../shared/dom.ts';

const merchantId = new URLSearchParams(location.search).get('merchant') || 'm1';
const DAYS = 14;
/** A slot as the app names it ("Card"), not as the API spells it ("CARD"). */
const slotName = (slot: string) => SLOTS.find((s) => s.slot === slot)?.label.split(' — ')[0] ?? slot;
const token = readToken();
const client = createPersistedClient({ clientName: 'console', clientVersion: '1.0.0', manifest, token: () => token });
const app = document.getElementById('app')!;
const title = document.getElementById('merchant-name')!;

type Merchant = NonNullable<MerchantConsoleQuery['merchant']>;
type Daily = { day: string; count: number }[];

const total = (daily: Daily) => daily.reduce((sum, d) => sum + d.count, 0);

/** A small bar chart of a daily figure (an inline SVG, one bar per day, oldest left). */
function chart(daily: Daily, label: string): HTMLElement {
  const max = Math.max(1, ...daily.map((d) => d.count));
  const width = daily.length * 8;
  const bars = daily
    .map((d, k) => {
      const height = Math.round((d.count / max) * 28);
      return `<rect x="${k * 8 + 1}" y="${30 - height}" width="6" height="${Math.max(height, 1)}" rx="1" fill="${d.count ? '#07c160' : '#d9d9d9'}"><title>${d.day}: ${d.count}</title></rect>`;
    })
    .join('');
  const holder = el('span', { class: 'chart', role: 'img', 'aria-label': `${label} by day, the last ${daily.length} days` });
  // the markup holds only numbers and ISO days from the answer
  holder.innerHTML = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="30" viewBox="0 0 ${width} 30">${bars}</svg>`;
  return holder;
}

function figure(label: string, daily: Daily, testId: string): HTMLElement {
  return el('div', { class: 'figure' }, el('span', { class: 'muted' }, label), el('strong', { 'data-testid': testId }, String(total(daily))), chart(daily, label));
}

const day = (iso: string) => iso.slice(0, 10);

function renderPlacements(placements: Merchant['placements'], fresh?: string): HTMLElement {
  return el(
    'section',
    { 'aria-label': 'Placements', id: 'placements' },
    el('h2', {}, `Placements (${placements.length})`),
    placements.length === 0
      ? el('p', { class: 'muted' }, 'No placements yet.')
      : el(
          'ul',
          { class: 'placements' },
          ...placements.map((p) =>
            el(
              'li',
              { class: p.id === fresh ? 'placement fresh' : 'placement', 'data-testid': 'placement', 'data-placement-id': p.id },
              el('header', {}, el('strong', {}, p.title), el('span', { class: `status status-${p.status}`, 'data-testid': 'status' }, p.status), el('span', { class: 'muted', 'data-testid': 'slot' }, slotName(p.slot))),
              p.subtitle ? el('p', { class: 'muted subtitle-line' }, p.subtitle) : '',
              p.reviewReason ? el('p', { class: 'error', 'data-testid': 'review-reason' }, `Reviewer: ${p.reviewReason}`) : '',
              el(
                'p',
                { class: 'muted', 'data-testid': 'schedule' },
                `${day(p.targeting.startsAt)} → ${day(p.targeting.endsAt)} · ${p.targeting.cities.length ? p.targeting.cities.join(', ') : 'every city'}`,
              ),
              el('div', { class: 'figures' }, figure(`Impressions, ${DAYS} days`, p.impressionsByDay, 'impressions')),
            ),
          ),
        ),
  );
}

function renderOffers(offers: NonNullable<Merchant['offers']>): HTMLElement {
  return el(
    'section',
    { 'aria-label': 'Offers' },
    el('h2', {}, 'Offers'),
    el(
      'ul',
      { class: 'offers-figures' },
      ...offers.map((o) =>
        el(
          'li',
          { class: 'offer-figure', 'data-testid': 'offer-figure', 'data-offer-id': o.id },
          el('strong', {}, o.title),
          el('div', { class: 'figures' }, figure('Claims', o.claimsByDay, 'claims'), figure('Redemptions', o.redemptionsByDay, 'redemptions')),
        ),
      ),
    ),
  );
}

async function load(): Promise<void> {
  showBusy(app, 'Loading your console…');
  if (!token) {
    show(app, el('p', { role: 'alert', class: 'error' }, 'Sign in as the merchant (a token with the scope merchant:<id>) to see its console.'));
    return;
  }
  try {
    const { data, errors } = await client.run(MerchantConsoleDocument, { merchantId, days: DAYS });
    // a token without this merchant's scope: its placements and figures are refused
    const refused = errors.find((e) => e.extensions?.code === 'FORBIDDEN' || e.extensions?.code === 'UNAUTHENTICATED');
    if (refused) {
      show(app, el('p', { role: 'alert', class: 'error' }, `${refused.message} (${refused.extensions?.code})`));
      return;
    }
    if (!data.merchant) {
      show(app, el('p', { role: 'alert' }, 'This merchant is not on Plaza.'));
      return;
    }
    const merchant = data.merchant;
    title.textContent = merchant.name;
    // the list of placements, shown again with the one just submitted on top (newest first)
    let placements = merchant.placements;
    let list = renderPlacements(placements);
    const form = placementForm({
      client,
      merchant,
      days: DAYS,
      onSubmitted(placement) {
        placements = [placement, ...placements.filter((p) => p.id !== placement.id)];
        const next = renderPlacements(placements, placement.id);
        list.replaceWith(next);
        list = next;
      },
    });
    show(
      app,
      el(
        'section',
        { 'aria-label': 'User assets', class: 'totals' },
        figure(`New members, ${DAYS} days`, merchant.newMembersByDay, 'new-members'),
        figure(`Repurchases, ${DAYS} days`, merchant.repurchasesByDay, 'repurchases'),
      ),
      form,
      list,
      // null while the coupons subgraph is unavailable
      merchant.offers ? renderOffers(merchant.offers) : el('p', { class: 'muted' }, 'Offers are unavailable right now.'),
    );
  } catch (error) {
    showError(app, 'The console could not be loaded', error, () => void load());
  }
}

void load();
