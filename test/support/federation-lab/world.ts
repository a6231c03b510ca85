/**
 * The federation lab's data: a small shop (products, shipping, reviews, books and films,
 * accounts), the same on every run. All lab subgraphs run in one process and read this
 * one world, so values several subgraphs can serve (@shareable, @provides) always agree,
 * as they must in a real graph. Mutations change it; `resetLabWorld` puts it back.
 */

export interface LabProduct {
  upc: string;
  sku: string;
  variation: { id: string; name: string };
  name: string;
  /** In cents. */
  price: number;
  dimensions: { size: string; weight: number; unit: string };
  /** LEGACY is @inaccessible in the API: a product in that state cannot be shown as it is. */
  status: 'AVAILABLE' | 'DISCONTINUED' | 'LEGACY';
  /** Inaccessible in the API; inventory @requires it. */
  internalCode: string;
  /** What products still answers for the fields it gave up (see the inventory subgraph's @override). */
  legacy: { inStock: boolean; stock: number; warehouse: string };
  inventory: { inStock: boolean; stock: number; warehouse: string };
}

export interface LabUser {
  id: string;
  name: string;
  username: string;
  currency: string;
  tier: 'BRONZE' | 'SILVER' | 'GOLD' | 'STAFF';
  /** Products by their compound key (sku and variation id), as accounts knows them; one points nowhere. */
  wishlist: { sku: string; variationId: string }[];
  /** Product upcs, as products knows them. */
  cart: string[];
  /** The accounts subgraph misbehaves for this user: its non-null username comes back null. */
  brokenUsername?: boolean;
}

export interface LabReview {
  id: string;
  body: string;
  rating: number;
  authorId: string;
  /** A product upc (one points to no product) or a book/film id. */
  about: { product: string } | { media: string };
}

export interface LabMedia {
  id: string;
  kind: 'Book' | 'Movie';
  title: string;
  /** Books: pages. Films: minutes; one film's minutes are missing though the field is non-null. */
  length: number | null;
  authorId?: string;
}

export interface LabWorld {
  products: LabProduct[];
  users: LabUser[];
  reviews: LabReview[];
  /** Review slots of a product that were deleted: listed as null in Product.reviews. */
  deletedReviewSlots: Record<string, number>;
  media: LabMedia[];
  /** Mutations performed so far (their answers show the order they ran in). */
  mutations: number;
}

function product(
  upc: string,
  sku: string,
  variation: [string, string],
  name: string,
  price: number,
  dimensions: [string, number, string],
  status: LabProduct['status'],
  stock: number,
): LabProduct {
  return {
    upc,
    sku,
    variation: { id: variation[0], name: variation[1] },
    name,
    price,
    dimensions: { size: dimensions[0], weight: dimensions[1], unit: dimensions[2] },
    status,
    internalCode: `IC-${upc.toUpperCase()}`,
    legacy: { inStock: false, stock: stock + 1000, warehouse: `legacy:${sku}` },
    inventory: { inStock: stock > 0, stock, warehouse: `DC-${(stock % 3) + 1}` },
  };
}

function initialWorld(): LabWorld {
  return {
    products: [
      product('p1', 'TBL', ['v1', 'oak'], 'Table', 89900, ['large', 21.5, 'kg'], 'AVAILABLE', 4),
      product('p2', 'CCH', ['v1', 'velvet'], 'Couch', 129900, ['large', 48, 'kg'], 'AVAILABLE', 0),
      product('p3', 'TBL', ['v2', 'walnut'], 'Table', 99900, ['large', 23, 'kg'], 'AVAILABLE', 2),
      // reviews fails on this one (errors inside _entities)
      product('p4', 'CHR', ['v1', 'beech'], 'Chair', 12900, ['medium', 6.5, 'kg'], 'DISCONTINUED', 11),
      // in a state the API hides (@inaccessible enum value)
      product('p5', 'LMP', ['v1', 'brass'], 'Lamp', 4900, ['small', 1.2, 'kg'], 'LEGACY', 7),
      // inventory cannot estimate shipping in pounds (a field error inside _entities)
      product('p6', 'RUG', ['v1', 'wool'], 'Rug', 25900, ['medium', 9, 'lb'], 'AVAILABLE', 3),
    ],
    users: [
      { id: 'u1', name: 'Ada', username: 'ada', currency: 'EUR', tier: 'GOLD', wishlist: [{ sku: 'TBL', variationId: 'v1' }, { sku: 'CCH', variationId: 'v1' }], cart: ['p1', 'p3'] },
      { id: 'u2', name: 'Grace', username: 'grace', currency: 'USD', tier: 'SILVER', wishlist: [{ sku: 'TBL', variationId: 'v2' }, { sku: 'NOPE', variationId: 'v9' }, { sku: 'LMP', variationId: 'v1' }], cart: ['p2', 'p6'] },
      { id: 'u3', name: 'Linus', username: 'linus', currency: 'SEK', tier: 'STAFF', wishlist: [], cart: [], brokenUsername: true },
      { id: 'u4', name: 'Edsger', username: 'ewd', currency: 'JPY', tier: 'BRONZE', wishlist: [{ sku: 'RUG', variationId: 'v1' }, { sku: 'CHR', variationId: 'v1' }], cart: ['p4', 'p404'] },
    ],
    reviews: [
      { id: 'r1', body: 'Sturdy and square', rating: 5, authorId: 'u1', about: { product: 'p1' } },
      { id: 'r2', body: 'Wobbles a little', rating: 4, authorId: 'u2', about: { product: 'p1' } },
      { id: 'r3', body: 'Too soft', rating: 3, authorId: 'u1', about: { product: 'p2' } },
      { id: 'r4', body: 'Creaks', rating: 2, authorId: 'u4', about: { product: 'p4' } },
      { id: 'r5', body: 'Never arrived', rating: 1, authorId: 'u2', about: { product: 'p404' } },
      { id: 'r6', body: 'A desert classic', rating: 5, authorId: 'u1', about: { media: 'b1' } },
      { id: 'r7', body: 'In space no one can hear', rating: 4, authorId: 'u2', about: { media: 'm1' } },
      { id: 'r8', body: 'Long but worth it', rating: 4, authorId: 'u4', about: { media: 'b1' } },
      { id: 'r9', body: 'Hard to follow', rating: 2, authorId: 'u3', about: { media: 'm2' } },
    ],
    deletedReviewSlots: { p2: 1 },
    media: [
      { id: 'b1', kind: 'Book', title: 'Dune', length: 412, authorId: 'u4' },
      { id: 'b2', kind: 'Book', title: 'Emma', length: 320, authorId: 'u404' },
      { id: 'm1', kind: 'Movie', title: 'Alien', length: 117 },
      // a film whose non-null minutes are missing: the media subgraph nulls it itself
      { id: 'm2', kind: 'Movie', title: 'Heat', length: null },
    ],
    mutations: 0,
  };
}

/** The one world every lab subgraph reads. */
export const labWorld: LabWorld = initialWorld();

/** Puts the world back as it started (mutations undone). */
export function resetLabWorld(): void {
  Object.assign(labWorld, initialWorld());
}

export const productByUpc = (upc: string) => labWorld.products.find((p) => p.upc === upc) ?? null;
export const productBySku = (sku: string, variationId: string) => labWorld.products.find((p) => p.sku === sku && p.variation.id === variationId) ?? null;
export const userById = (id: string) => labWorld.users.find((u) => u.id === id) ?? null;
export const reviewById = (id: string) => labWorld.reviews.find((r) => r.id === id) ?? null;
export const mediaById = (id: string) => labWorld.media.find((m) => m.id === id) ?? null;
