/**
 * The console's form to submit a placement: the merchant picks one of its own services
 * (and, if it likes, one of its own offers) from the lists the console loaded through the
 * graph, a slot, the title and subtitle, the cities and the schedule. Plaza answers with
 * the placement, PENDING until a reviewer decides; a refusal (a service or offer that is
 * not the merchant's, a bad schedule…) is shown with its message and code.
 *
 * One idempotency key per distinct submission: sending the same form again after a network
 * failure returns the first placement instead of a second one.
 */
import { SubmitPlacementDocument, type ConsolePlacementFragment, type MerchantConsoleQuery, type Slot, type SubmitPlacementInput } from './generated/graphql.ts';
import type { createPersistedClient } from '../shared/persisted.ts';
import { el, errorMessage } from '../shared/dom.ts';

type Merchant = NonNullable<MerchantConsoleQuery['merchant']>;

/** The slots, in the order the homepage shows them, with what each is. */
export const SLOTS: { slot: Slot; label: string }[] = [
  { slot: 'SEARCH_HINT', label: 'Search hint — suggested in the search bar' },
  { slot: 'GRID', label: 'Grid — the service grid at the top of the homepage' },
  { slot: 'NEWS', label: 'News — items below the grid' },
  { slot: 'BANNER', label: 'Banner — wide rotating banners' },
  { slot: 'CARD', label: 'Card — recommendation cards' },
  { slot: 'BASEMENT', label: 'Basement — the strip at the bottom of the homepage' },
  { slot: 'PAYMENT_SUCCESS', label: 'Payment success — recommended after paying another merchant' },
];

/** Audience categories a placement may aim at (the merchant categories of Plaza). */
const AUDIENCES = ['food', 'coffee', 'travel', 'retail', 'beauty', 'fitness', 'movies', 'hotel'];

const DAY_MS = 86_400_000;
/** YYYY-MM-DD of a UTC day. */
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface PlacementFormOptions {
  client: ReturnType<typeof createPersistedClient>;
  merchant: Merchant;
  /** Days of impressions the listed placements show. */
  days: number;
  /** Called with the placement Plaza stored. */
  onSubmitted(placement: ConsolePlacementFragment): void;
}

let fields = 0;

/** A labelled control; its hint is its description, not part of its name. */
function field(label: string, control: HTMLElement, hint?: string, wide = false): HTMLElement {
  const id = `placement-field-${++fields}`;
  control.id = id;
  if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
  return el(
    'div',
    { class: wide ? 'field wide' : 'field' },
    el('label', { class: 'field-label', for: id }, label),
    control,
    hint ? el('span', { class: 'muted', id: `${id}-hint` }, hint) : null,
  );
}

export function placementForm({ client, merchant, days, onSubmitted }: PlacementFormOptions): HTMLElement {
  const services = merchant.services;
  // null while the coupons subgraph is unavailable: the placement can still open a service
  const offers = merchant.offers;
  const storeCities = [...new Set(merchant.stores.map((s) => s.city))];

  const slot = el('select', { name: 'slot', required: 'required' }, ...SLOTS.map((s) => el('option', { value: s.slot }, s.label)));
  slot.value = 'CARD';
  const service = el(
    'select',
    { name: 'service', required: 'required', disabled: services.length ? false : 'disabled' },
    ...services.map((s) => el('option', { value: s.id }, s.title)),
  );
  const offer = el(
    'select',
    { name: 'offer', disabled: offers ? false : 'disabled' },
    el('option', { value: '' }, offers ? 'No offer' : 'Offers are unavailable right now'),
    ...(offers ?? []).map((o) => el('option', { value: o.id }, o.title)),
  );
  const titleInput = el('input', { name: 'title', required: 'required', maxlength: '80', autocomplete: 'off' });
  const subtitle = el('input', { name: 'subtitle', required: 'required', maxlength: '160', autocomplete: 'off' });
  const imageUrl = el('input', { name: 'imageUrl', required: 'required', value: `/img/${merchant.category}.png`, autocomplete: 'off' });
  const cityBoxes = storeCities.map((city) => el('input', { type: 'checkbox', name: 'city', value: city }));
  const otherCities = el('input', { name: 'otherCities', placeholder: 'e.g. Shanghai, Hangzhou', autocomplete: 'off' });
  const audienceBoxes = AUDIENCES.map((category) => el('input', { type: 'checkbox', name: 'audience', value: category }));
  const today = Date.now();
  const startsAt = el('input', { type: 'date', name: 'startsAt', required: 'required', value: isoDay(today) });
  const endsAt = el('input', { type: 'date', name: 'endsAt', required: 'required', value: isoDay(today + 30 * DAY_MS) });
  const submit = el('button', { type: 'submit', disabled: services.length ? false : 'disabled' }, 'Submit for review');
  const outcome = el('div', { class: 'outcome', 'data-testid': 'submit-outcome', 'aria-live': 'polite' });

  // one key per distinct submission: the same form sent again is a retry, a changed one a new submission
  const keys = new Map<string, string>();

  function problem(message: string): void {
    outcome.replaceChildren(el('p', { class: 'error', role: 'alert', 'data-testid': 'submit-error' }, message));
  }

  function input(): Omit<SubmitPlacementInput, 'idempotencyKey'> | null {
    const typed = otherCities.value
      .split(/[,，、]/)
      .map((c) => c.trim())
      .filter(Boolean);
    const cities = [...new Set([...cityBoxes.filter((b) => b.checked).map((b) => b.value), ...typed])];
    if (!startsAt.value || !endsAt.value) {
      problem('Choose the first day and the day it ends.');
      return null;
    }
    if (endsAt.value <= startsAt.value) {
      problem('The placement must end after the day it starts.');
      return null;
    }
    return {
      merchantId: merchant.id,
      serviceId: service.value,
      offerId: offer.value || null,
      slot: slot.value as Slot,
      title: titleInput.value.trim(),
      subtitle: subtitle.value.trim(),
      imageUrl: imageUrl.value.trim(),
      cities,
      categories: audienceBoxes.filter((b) => b.checked).map((b) => b.value),
      // whole UTC days, as the list shows them: from the first day until (not including) the end day
      startsAt: `${startsAt.value}T00:00:00.000Z`,
      endsAt: `${endsAt.value}T00:00:00.000Z`,
    };
  }

  const form = el(
    'form',
    { class: 'submit-form', 'data-testid': 'submit-placement', 'aria-label': 'Submit a placement' },
    field('Service it opens', service, services.length ? undefined : 'This merchant has no services to place.'),
    field('Offer it promotes', offer, 'Optional: one of your offers.'),
    field('Slot', slot, undefined, true),
    field('Title', titleInput, 'Up to 80 characters.'),
    field('Subtitle', subtitle, 'Up to 160 characters.'),
    field('Image', imageUrl, 'An https:// address or a /path on Plaza.', true),
    el(
      'fieldset',
      { class: 'field wide cities' },
      el('legend', {}, 'Cities'),
      storeCities.length ? el('div', { class: 'choices' }, ...cityBoxes.map((box) => el('label', { class: 'choice' }, box, ` ${box.value}`))) : null,
      field('Other cities', otherCities, 'Separated by commas.'),
      el('span', { class: 'muted' }, 'None chosen: every city.'),
    ),
    el(
      'details',
      { class: 'field wide' },
      el('summary', {}, 'Audience (optional)'),
      el('div', { class: 'choices' }, ...audienceBoxes.map((box) => el('label', { class: 'choice' }, box, ` ${box.value}`))),
      el('span', { class: 'muted' }, 'Viewers with an affinity for these categories see it ranked higher; none chosen: everyone.'),
    ),
    field('From (UTC day)', startsAt),
    field('Until (UTC day, not included)', endsAt, 'At most a year after the first day.'),
    el('div', { class: 'actions wide' }, submit),
    outcome,
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const submission = input();
    if (!submission) return;
    const text = JSON.stringify(submission);
    const idempotencyKey = keys.get(text) ?? `console-${crypto.randomUUID()}`;
    keys.set(text, idempotencyKey);
    void send({ ...submission, idempotencyKey });
  });

  async function send(submission: SubmitPlacementInput): Promise<void> {
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    outcome.replaceChildren(el('p', { class: 'state' }, 'Submitting…'));
    try {
      const { data } = await client.run(SubmitPlacementDocument, { input: submission, days });
      const placement = data.submitPlacement;
      keys.clear();
      titleInput.value = '';
      subtitle.value = '';
      onSubmitted(placement);
      outcome.replaceChildren(
        el(
          'p',
          { class: 'notice', role: 'status', 'data-testid': 'submitted' },
          `Submitted “${placement.title}”: `,
          el('span', { class: `status status-${placement.status}` }, placement.status),
          placement.status === 'PENDING' ? ' — it is served once a reviewer approves it.' : '',
        ),
      );
    } catch (error) {
      problem(`The placement was not submitted: ${errorMessage(error)}`);
    } finally {
      submit.disabled = false;
      form.setAttribute('aria-busy', 'false');
    }
  }

  return el('section', { 'aria-label': 'New placement', class: 'new-placement' }, el('h2', {}, 'New placement'), form);
}
