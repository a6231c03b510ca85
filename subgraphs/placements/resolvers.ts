import type { Resolvers } from './generated/resolvers-types.ts';
import type { Context } from './loaders.ts';
import {
  affinityCategories,
  checkCity,
  checkPaymentId,
  checkSubmission,
  paymentRecommendations,
  placementsForReview,
  rankSection,
  reviewPlacement,
  submitPlacement,
  checkId,
  type HomepageRef,
  type RankedPlacement,
  type Slot,
} from './service.ts';
import { EVERY_CITY, Placement } from './entities.ts';
import { dailyCounts, requireMerchant } from '../kit/figures.ts';
import { TOPICS } from '../kit/events.ts';
import { ErrorCode, plazaError } from '../../platform/errors.ts';

interface ReviewEvent {
  placementId: string;
  merchantId: string;
  at: number;
}

/** A ranked section; a feed served (`count`) adds one impression to each of its placements. */
async function section(homepage: HomepageRef, slot: Slot, { loaders }: Context, count = true): Promise<RankedPlacement[]> {
  const city = checkCity(homepage.city);
  const { inSlot, citiesOf } = await loaders.servableByCity.load(city);
  const affinity = affinityCategories(homepage.affinityFromMemberships, homepage.affinityFromCoupons);
  const ranked = rankSection(slot, inSlot(slot), citiesOf, { city, affinity, now: loaders.now }, { byPriority: true });
  if (count) loaders.served(ranked);
  return ranked;
}


export const resolvers: Resolvers = {
  Query: {
    homepage: (_, args) => ({ city: checkCity(args.city) }),
    paymentSuccessPage: (_, args) => ({ merchantId: checkId('merchantId', args.merchantId), paymentId: checkPaymentId(args.paymentId) }),
    placementsForReview: (_, { first }, { em, viewer }) => placementsForReview(em, viewer, first ?? 20),
  },
  Mutation: {
    submitPlacement: async (_, { input }, { em, peers, viewer, loaders }) => {
      const placement = await submitPlacement(em, peers, viewer, checkSubmission(input), input.idempotencyKey);
      loaders.placementsChanged();
      return placement;
    },
    reviewPlacement: async (_, args, { em, viewer, loaders, events }) => {
      const placement = await reviewPlacement(em, viewer, args);
      loaders.placementsChanged();
      // committed (reviewPlacement flushed): the merchant's subscriptions hear the decision
      events.publish(TOPICS.placementReviewed(placement.merchantId), { placementId: placement.id, merchantId: placement.merchantId, status: placement.status });
      return placement;
    },
  },
  Subscription: {
    placementReviewed: {
      subscribe: (_, { merchantId }, { viewer, events }) => {
        const merchant = checkId('merchantId', merchantId);
        requireMerchant(viewer, merchant, "A merchant's placement reviews");
        return events.listen<ReviewEvent>(TOPICS.placementReviewed(merchant), {
          accept: ({ placementId, merchantId: owner, at }) => (owner === merchant && typeof placementId === 'string' ? { placementId, merchantId: merchant, at } : null),
        });
      },
      // each event runs with a fresh context (kit/subscriptions.ts): the placement is read as it is now
      resolve: async (event: ReviewEvent, _args: unknown, { em, viewer }: Context) => {
        requireMerchant(viewer, event.merchantId, "A merchant's placement reviews");
        const placement = await em.findOne(Placement, { id: event.placementId, merchantId: event.merchantId });
        if (!placement) throw plazaError(ErrorCode.NOT_FOUND, `No placement ${event.placementId}`);
        return placement;
      },
    },
  },
  Homepage: {
    __resolveReference: (ref) => ref,
    searchHints: (homepage, _, context) => section(homepage, 'SEARCH_HINT', context),
    grid: (homepage, _, context) => section(homepage, 'GRID', context),
    news: (homepage, _, context) => section(homepage, 'NEWS', context),
    banners: (homepage, _, context) => section(homepage, 'BANNER', context),
    cards: (homepage, _, context) => section(homepage, 'CARD', context),
    basement: (homepage, _, context) => section(homepage, 'BASEMENT', context),
  },
  PaymentSuccessPage: {
    merchant: (page) => ({ id: page.merchantId }),
    recommendations: async (page, _, { loaders }) => {
      // the cities the paid merchant places in; a merchant that places nowhere gets nationwide recommendations
      const own = await loaders.placementsByMerchant.load(page.merchantId);
      const targets = await loaders.citiesByPlacement.loadMany(own.map((p) => p.id));
      const cities = [...new Set(targets.flatMap((t) => (t instanceof Error ? [] : t.map((c) => c.city))))].sort();
      const feeds = await loaders.servableByCity.loadMany(cities.length ? cities : [EVERY_CITY]);
      const recommended = paymentRecommendations(
        feeds.map((feed, k) => {
          if (feed instanceof Error) throw feed;
          return { city: cities[k] ?? EVERY_CITY, placements: feed.inSlot('PAYMENT_SUCCESS'), citiesOf: feed.citiesOf };
        }),
        page.merchantId,
        loaders.now,
      );
      loaders.served(recommended);
      return recommended;
    },
  },
  Placement: {
    merchant: (placement) => ({ id: placement.merchantId }),
    service: (placement) => ({ id: placement.serviceId }),
    offer: (placement) => (placement.offerId ? { id: placement.offerId } : null),
    targeting: async (placement, _, { loaders }) => ({
      cities: (await loaders.citiesByPlacement.load(placement.id)).map((t) => t.city).filter((c) => c !== EVERY_CITY),
      categories: placement.categories,
      startsAt: placement.startsAt.toISOString(),
      endsAt: placement.endsAt.toISOString(),
    }),
    status: (placement) => placement.status as 'PENDING' | 'APPROVED' | 'REJECTED',
    slot: (placement) => placement.slot as Slot,
    rank: (placement) => placement.rank ?? null,
    impressionsByDay: async (placement, { days }, { viewer, loaders }) => {
      requireMerchant(viewer, placement.merchantId, "A placement's figures");
      const rows = await loaders.impressionsByPlacement.load(placement.id);
      return dailyCounts(rows.map((row) => [row.day, row.impressions]), days ?? 14, loaders.now);
    },
  },
  Merchant: {
    __resolveReference: (ref) => ref,
    placements: async (merchant, _, { viewer, loaders }) => {
      requireMerchant(viewer, merchant.id, "A merchant's placements");
      const own = await loaders.placementsByMerchant.load(merchant.id);
      return [...own].sort((a, b) => b.submittedAt.getTime() - a.submittedAt.getTime() || (a.id < b.id ? 1 : -1));
    },
  },
  User: {
    __resolveReference: (ref) => ref,
    // the grid an anonymous viewer of the user's city would see (no affinity)
    defaultGrid: async (user, _, context) => (user.city ? (await section({ city: user.city }, 'GRID', context, false)).map((p) => ({ id: p.serviceId })) : []),
  },
};
