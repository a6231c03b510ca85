import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { badUserInput, ErrorCode, plazaError } from '../../platform/errors.ts';
import type { Viewer } from '../../platform/internal-token.ts';
import type { EntityManager } from '../kit/orm.ts';
import type { Peers } from '../kit/peers.ts';
import { checkFirst, checkIdempotencyKey, requireUserId } from '../kit/viewer.ts';
import { CATEGORIES } from '../kit/world.ts';
import { EVERY_CITY, Placement, PlacementCity } from './entities.ts';
import type { SubmitPlacementInput } from './generated/resolvers-types.ts';

export const SLOTS = ['SEARCH_HINT', 'GRID', 'NEWS', 'BANNER', 'CARD', 'BASEMENT', 'PAYMENT_SUCCESS'] as const;
export type Slot = (typeof SLOTS)[number];

/** How many items each slot's section shows. */
export const SECTION_SIZES: Record<Slot, number> = {
  SEARCH_HINT: 5,
  GRID: 9,
  NEWS: 5,
  BANNER: 5,
  CARD: 10,
  BASEMENT: 6,
  PAYMENT_SUCCESS: 5,
};

/** The parts of a ranking score; see docs/homepage.md, "Ranking". */
export const RANK_WEIGHTS = {
  /** A placement aimed at this very city, rather than at every city. */
  cityTargeted: 10,
  /** A placement whose audience categories include one the viewer has an affinity for. */
  categoryTargeted: 20,
  /** A placement of a merchant whose category the viewer has an affinity for. */
  affinity: 50,
  /** Freshness of a placement that started today; one less per day of age, never below 0. */
  freshness: 14,
} as const;

const DAY_MS = 86_400_000;

export interface RankExplanation {
  score: number;
  priority: number;
  freshness: number;
  targeting: number;
  affinity: number;
}

/** A placement as served in a feed: the row and why it ranked where it did. */
export type RankedPlacement = Placement & { rank?: RankExplanation };

/** What ranking depends on besides the placements: the same inputs always give the same order. */
export interface RankingInput {
  /** The city the feed is for. */
  city: string;
  /** Categories the viewer has an affinity for (memberships held, coupons claimed); empty for anonymous viewers. */
  affinity: ReadonlySet<string>;
  now: Date;
}

/** A Homepage as the gateway hands it over: its key, and the viewer's affinity when the plan brought it. */
export interface HomepageRef {
  city: string;
  affinityFromMemberships?: { category?: string | null }[] | null;
  affinityFromCoupons?: { category?: string | null }[] | null;
}

/** A User as the gateway hands it over: its key and, for the default grid, its home city. */
export interface UserRef {
  id: string;
  city?: string | null;
}

export interface PaymentSuccessPageValue {
  paymentId: string | null;
  merchantId: string;
}

export function checkId(argumentName: string, id: string): string {
  return text(argumentName, id, 64);
}

export function checkCity(city: string): string {
  return text('city', city, 64);
}

/** Served only when approved and inside the time window, wherever it comes from. */
export function isServable(placement: Placement, now: Date): boolean {
  return placement.status === 'APPROVED' && placement.startsAt <= now && now < placement.endsAt;
}

/** Scores one placement for one viewer in one city. */
export function explainRank(placement: Placement, cities: readonly string[], input: RankingInput): RankExplanation {
  const ageDays = Math.floor((input.now.getTime() - placement.startsAt.getTime()) / DAY_MS);
  const freshness = Math.max(0, Math.min(RANK_WEIGHTS.freshness, RANK_WEIGHTS.freshness - ageDays));
  const cityTargeted = cities.includes(input.city) ? RANK_WEIGHTS.cityTargeted : 0;
  const categoryTargeted = placement.categories.some((c) => input.affinity.has(c)) ? RANK_WEIGHTS.categoryTargeted : 0;
  const targeting = cityTargeted + categoryTargeted;
  const affinity = input.affinity.has(placement.category) ? RANK_WEIGHTS.affinity : 0;
  return { score: placement.priority + freshness + targeting + affinity, priority: placement.priority, freshness, targeting, affinity };
}

/** Higher score first; equal scores in id order (code-point order), so ties never flip between requests. */
export function byScore(a: { id: string; rank?: RankExplanation }, b: { id: string; rank?: RankExplanation }): number {
  return b.rank!.score - a.rank!.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The most a placement's score can exceed its priority for this viewer and city. */
function maxBonus(input: RankingInput): number {
  const viewerBonus = input.affinity.size ? RANK_WEIGHTS.categoryTargeted + RANK_WEIGHTS.affinity : 0;
  return RANK_WEIGHTS.freshness + RANK_WEIGHTS.cityTargeted + viewerBonus;
}

type Scored = { id: string; rank: RankExplanation; placement: Placement };

/** The score of the size-th merchant of a section made of `scored` (each merchant by its best), or -Infinity. */
function sectionThreshold(scored: readonly Scored[], size: number): number {
  const best = new Map<string, number>();
  for (const { placement, rank } of scored) best.set(placement.merchantId, Math.max(best.get(placement.merchantId) ?? -Infinity, rank.score));
  if (best.size < size) return -Infinity;
  return [...best.values()].sort((a, b) => b - a)[size - 1];
}

/**
 * One slot's section of a feed: servable placements of that slot that target the city,
 * scored, sorted by score then id, at most one per merchant (its best), cut to the
 * slot's size. A pure function of its inputs.
 *
 * Candidates may come in any order. When the caller says they come in descending
 * priority (`byPriority`, as a city's shared candidates do), the scan stops as soon as no
 * later candidate can reach the section: its priority plus the largest bonus this viewer
 * can get stays below the score of the section's last merchant so far. The answer is the
 * same as a full scan's.
 */
export function rankSection(
  slot: Slot,
  candidates: readonly Placement[],
  citiesOf: (placementId: string) => readonly string[],
  input: RankingInput,
  options: { exceptMerchant?: string; size?: number; byPriority?: boolean } = {},
): RankedPlacement[] {
  const size = options.size ?? SECTION_SIZES[slot];
  const bound = maxBonus(input);
  // scored without copying: a city can hold thousands of candidates per slot, and only the chosen few are served
  const scored: Scored[] = [];
  let bestScore = -Infinity;
  // the section's threshold only rises as candidates are scored: a stale one is a safe lower bound,
  // recomputed each time the scored candidates double (so at most a logarithmic number of times)
  let threshold = -Infinity;
  let thresholdAt = 0;
  for (const placement of candidates) {
    const reach = placement.priority + bound;
    // strictly below: a later candidate with an equal score could still win on its id; candidates
    // come in non-increasing priority, so every later one's reach is at most this one's
    if (options.byPriority && reach < bestScore) {
      if (reach >= threshold && scored.length >= Math.max(size, 2 * thresholdAt)) {
        threshold = sectionThreshold(scored, size);
        thresholdAt = scored.length;
      }
      if (reach < threshold) break;
    }
    if (placement.slot !== slot || !isServable(placement, input.now)) continue;
    if (placement.merchantId === options.exceptMerchant) continue;
    const cities = citiesOf(placement.id);
    if (!cities.includes(input.city) && !cities.includes(EVERY_CITY)) continue;
    const rank = explainRank(placement, cities, input);
    if (rank.score > bestScore) bestScore = rank.score;
    scored.push({ id: placement.id, rank, placement });
  }
  scored.sort(byScore);
  return onePerMerchant(scored, size, (s) => s.placement.merchantId).map(({ placement, rank }) => ({ ...placement, rank }));
}

/** The first `size` of `sorted`, skipping any whose merchant came earlier: each merchant by its best. */
function onePerMerchant<T>(sorted: Iterable<T>, size: number, merchantOf: (item: T) => string): T[] {
  const chosen: T[] = [];
  const merchants = new Set<string>();
  for (const item of sorted) {
    if (chosen.length >= size) break;
    if (merchants.has(merchantOf(item))) continue;
    merchants.add(merchantOf(item));
    chosen.push(item);
  }
  return chosen;
}

/**
 * The payment-success page's recommendations: each city's PAYMENT_SUCCESS section
 * (without the merchant just paid), merged by score then id, one per merchant, five at most.
 * Each city's placements come as a city's shared candidates do: highest priority first.
 */
export function paymentRecommendations(
  feeds: { city: string; placements: readonly Placement[]; citiesOf(placementId: string): readonly string[] }[],
  paidMerchant: string,
  now: Date,
): RankedPlacement[] {
  const byId = new Map<string, RankedPlacement>();
  for (const feed of feeds) {
    for (const p of rankSection('PAYMENT_SUCCESS', feed.placements, feed.citiesOf, { city: feed.city, affinity: new Set(), now }, { exceptMerchant: paidMerchant, byPriority: true })) {
      if (!byId.has(p.id)) byId.set(p.id, p);
    }
  }
  return onePerMerchant([...byId.values()].sort(byScore), SECTION_SIZES.PAYMENT_SUCCESS, (p) => p.merchantId);
}

/** The categories of the merchants the viewer has an affinity with, as the gateway brought them. */
export function affinityCategories(...lists: (readonly { category?: string | null }[] | null | undefined)[]): Set<string> {
  const categories = new Set<string>();
  for (const list of lists) for (const merchant of list ?? []) if (merchant.category) categories.add(merchant.category);
  return categories;
}

// ---- submission and review -------------------------------------------------------------

/** The longest a placement may run. */
export const MAX_WINDOW_DAYS = 366;
/** Priority a new placement gets until a reviewer sets another. */
export const DEFAULT_PRIORITY = 50;

/** What a merchant submitted, checked; the category is not among it: it comes from the service (see ownedService). */
export interface Submission {
  merchantId: string;
  serviceId: string;
  offerId?: string | null;
  slot: Slot;
  title: string;
  subtitle: string;
  imageUrl: string;
  cities: string[];
  categories: string[];
  startsAt: Date;
  endsAt: Date;
}

function text(name: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max) badUserInput(name, `${name} must be 1-${max} characters`);
  return trimmed;
}

function instant(name: string, value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(date.getTime())) badUserInput(name, `${name} must be an ISO 8601 date-time`);
  return date;
}

/** Checks a merchant's submission and puts it in the stored shape. */
export function checkSubmission(input: Omit<SubmitPlacementInput, 'idempotencyKey'>): Submission {
  const startsAt = instant('startsAt', input.startsAt);
  const endsAt = instant('endsAt', input.endsAt);
  if (endsAt <= startsAt) badUserInput('endsAt', 'endsAt must be after startsAt');
  if (endsAt.getTime() - startsAt.getTime() > MAX_WINDOW_DAYS * DAY_MS) badUserInput('endsAt', `a placement runs at most ${MAX_WINDOW_DAYS} days`);
  const categories = [...new Set(input.categories ?? [])];
  for (const category of categories) {
    if (!(CATEGORIES as readonly string[]).includes(category)) badUserInput('categories', `unknown category ${JSON.stringify(category.slice(0, 40))}; one of ${CATEGORIES.join(', ')}`);
  }
  if (input.cities.length > 20) badUserInput('cities', 'target at most 20 cities, or none for every city');
  const cities = [...new Set(input.cities.map((city) => checkCity(city)))];
  if (!/^(https:\/\/|\/)[\x21-\x7e]{1,300}$/.test(input.imageUrl)) badUserInput('imageUrl', 'imageUrl must be an https:// URL or a /path');
  return {
    merchantId: text('merchantId', input.merchantId, 64),
    serviceId: text('serviceId', input.serviceId, 64),
    offerId: input.offerId ? text('offerId', input.offerId, 64) : null,
    slot: input.slot,
    title: text('title', input.title, 80),
    subtitle: text('subtitle', input.subtitle, 160),
    imageUrl: input.imageUrl,
    cities: cities.length ? cities : [EVERY_CITY],
    categories,
    startsAt,
    endsAt,
  };
}

/** Two submissions under one idempotency key must be the same submission. */
export function sameSubmission(stored: Placement, cities: readonly string[], submission: Submission): boolean {
  return (
    stored.serviceId === submission.serviceId &&
    (stored.offerId ?? null) === (submission.offerId ?? null) &&
    stored.slot === submission.slot &&
    stored.title === submission.title &&
    stored.subtitle === submission.subtitle &&
    stored.imageUrl === submission.imageUrl &&
    stored.startsAt.getTime() === submission.startsAt.getTime() &&
    stored.endsAt.getTime() === submission.endsAt.getTime() &&
    [...cities].sort().join('\n') === [...submission.cities].sort().join('\n') &&
    [...stored.categories].sort().join('\n') === [...submission.categories].sort().join('\n')
  );
}

export function checkPriority(priority: number): number {
  if (!Number.isInteger(priority) || priority < 0 || priority > 100) badUserInput('priority', 'priority must be 0-100');
  return priority;
}

export function checkPaymentId(paymentId: string | null | undefined): string | null {
  if (paymentId == null) return null;
  return text('paymentId', paymentId, 64);
}

// ---- whose service and offer, as their owners answer -------------------------------------

/** The merchants subgraph's MerchantService entity, by its key. */
const SERVICE_BY_ID = `query PlacedService($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on MerchantService { id category merchant { id } } }
}`;
/** The coupons subgraph's CouponTemplate entity (an offer), by its key. */
const OFFER_BY_ID = `query PromotedOffer($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on CouponTemplate { id merchant { id } } }
}`;

interface Entities<T> {
  _entities: (T | null)[];
}
interface OwnedEntity {
  id: string;
  merchant: { id: string } | null;
}
interface ServiceEntity extends OwnedEntity {
  category: string;
}

/** The entity the owning subgraph answered with, when it is there and belongs to `merchantId`; null otherwise. */
function ownedBy<T extends OwnedEntity>(answer: Entities<T>, merchantId: string): T | null {
  const entity = answer._entities[0];
  return entity && entity.merchant?.id === merchantId ? entity : null;
}

/**
 * Checks with their owners (merchants, coupons) that the submission's service and offer are
 * the submitting merchant's, and returns the service's category: the placement's category
 * is never the submitter's say. Another merchant's id is refused exactly like an unknown one,
 * so ids reveal nothing; an owner that cannot answer refuses the submission (SUBGRAPH_UNAVAILABLE).
 */
export async function ownedService(peers: Peers, submission: Submission): Promise<{ category: string }> {
  const { merchantId, serviceId, offerId } = submission;
  // both owners at once; their answers are judged in a fixed order, so one submission always gets the same refusal
  const [service, offer] = await Promise.allSettled([
    peers.query<Entities<ServiceEntity>>('merchants', SERVICE_BY_ID, { representations: [{ __typename: 'MerchantService', id: serviceId }] }),
    offerId ? peers.query<Entities<OwnedEntity>>('coupons', OFFER_BY_ID, { representations: [{ __typename: 'CouponTemplate', id: offerId }] }) : null,
  ]);
  if (service.status === 'rejected') throw service.reason;
  const owned = ownedBy(service.value, merchantId);
  if (!owned) {
    throw plazaError(ErrorCode.SERVICE_NOT_FOUND, "serviceId is not one of this merchant's services", { extensions: { argumentName: 'serviceId' } });
  }
  if (offer.status === 'rejected') throw offer.reason;
  if (offer.value && !ownedBy(offer.value, merchantId)) {
    throw plazaError(ErrorCode.OFFER_NOT_FOUND, "offerId is not one of this merchant's offers", { extensions: { argumentName: 'offerId' } });
  }
  return { category: owned.category };
}

// ---- the review flow, over the EntityManager ---------------------------------------------

/** The scope a caller needs to act for a merchant. */
export const merchantScope = (merchantId: string) => `merchant:${merchantId}`;
/** The scope of platform reviewers. */
export const REVIEW_SCOPE = 'platform:review';

/** Refuses anonymous callers (UNAUTHENTICATED) and callers without the scope (FORBIDDEN). */
export function requireScope(viewer: Viewer, scope: string, what: string): void {
  requireUserId(viewer);
  if (!viewer.scopes.includes(scope)) throw plazaError(ErrorCode.FORBIDDEN, `${what} needs the scope ${scope}`);
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof UniqueConstraintViolationException;
}

/**
 * A merchant submits a placement of its own service (and offer) for free; it waits,
 * PENDING, for a reviewer. A retry with the same idempotency key returns the first
 * submission; the same key with a different submission is refused.
 */
export async function submitPlacement(em: EntityManager, peers: Peers, viewer: Viewer, submission: Submission, idempotencyKey: string): Promise<Placement> {
  requireScope(viewer, merchantScope(submission.merchantId), 'Placing for this merchant');
  const key = checkIdempotencyKey(idempotencyKey);
  const replay = async (): Promise<Placement | null> => {
    const stored = await em.fork().findOne(Placement, { merchantId: submission.merchantId, idempotencyKey: key });
    if (!stored) return null;
    const cities = (await em.fork().find(PlacementCity, { placementId: stored.id })).map((t) => t.city);
    if (!sameSubmission(stored, cities, submission)) {
      throw plazaError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotencyKey was used for a different submission');
    }
    return stored;
  };
  const earlier = await replay();
  if (earlier) return earlier;
  // asked before anything is written: a refusal or an owner that is down leaves no row behind
  const { category } = await ownedService(peers, submission);
  const id = `p-${randomUUID()}`;
  const { cities, ...fields } = submission;
  try {
    await em.transactional(async (tx) => {
      tx.create(Placement, {
        ...fields,
        category,
        id,
        offerId: fields.offerId ?? null,
        priority: DEFAULT_PRIORITY,
        status: 'PENDING',
        reviewReason: null,
        submittedAt: new Date(),
        idempotencyKey: key,
      });
      for (const city of cities) tx.create(PlacementCity, { city, placementId: id });
    });
  } catch (error) {
    // a concurrent retry with the same key won the race: answer with its placement
    if (isUniqueViolation(error)) {
      const winner = await replay();
      if (winner) return winner;
    }
    throw error;
  }
  return (await em.fork().findOne(Placement, { id }))!;
}

/** A platform reviewer approves or rejects a placement (rejecting needs a reason); approving again is harmless. */
export async function reviewPlacement(
  em: EntityManager,
  viewer: Viewer,
  review: { id: string; decision: 'APPROVE' | 'REJECT'; reason?: string | null; priority?: number | null },
): Promise<Placement> {
  requireScope(viewer, REVIEW_SCOPE, 'Reviewing placements');
  const reason = review.reason?.trim() ? text('reason', review.reason, 500) : null;
  if (review.decision === 'REJECT' && !reason) badUserInput('reason', 'rejecting a placement needs a reason the merchant can act on');
  const priority = review.priority == null ? null : checkPriority(review.priority);
  const placement = await em.findOne(Placement, { id: review.id.slice(0, 80) });
  if (!placement) throw plazaError(ErrorCode.NOT_FOUND, `No placement ${JSON.stringify(review.id.slice(0, 80))}`);
  placement.status = review.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
  placement.reviewReason = reason;
  if (priority !== null) placement.priority = priority;
  await em.flush();
  return placement;
}

/** Largest page of the review queue. */
export const MAX_REVIEW_PAGE = 100;

export async function placementsForReview(em: EntityManager, viewer: Viewer, first: number): Promise<Placement[]> {
  requireScope(viewer, REVIEW_SCOPE, 'The review queue');
  checkFirst(first, MAX_REVIEW_PAGE);
  return em.find(Placement, { status: 'PENDING' }, { orderBy: { submittedAt: 'asc', id: 'asc' }, limit: first });
}
