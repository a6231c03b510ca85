/**
 * Data and resolvers of the four guild-shaped subgraphs. Small and fixed: six users, nine
 * products, twelve reviews whose bodies are made from a word list by a seeded generator, so
 * every run, and every gateway, gets the same answer.
 */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { GuildSubgraph } from './graph.ts';

interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}
interface Review {
  id: string;
  body: string;
  productUpc: string;
  authorId: string;
}

const USERS: User[] = [
  ['Ada Brightwater', 'ada'],
  ['Bruno Castell', 'bruno'],
  ['Chen Wei', 'chenwei'],
  ['Dalia Okafor', 'dalia'],
  ['Emil Sorensen', 'emil'],
  ['Farah Nadeem', 'farah'],
].map(([name, username], i) => ({ id: String(i + 1), name, username, birthday: 631152000 + i * 31_557_600 }));

const PRODUCTS: Product[] = (
  [
    ['Kettle', 49, 120],
    ['Armchair', 1450, 2200],
    ['Desk Lamp', 35, 90],
    ['Backpack', 89, 140],
    ['Road Bicycle', 2100, 950],
    ['Tent', 380, 410],
    ['Blender', 120, 330],
    ['Piano', 5200, 22000],
    ['Teapot', 25, 60],
  ] as const
).map(([name, price, weight], i) => ({ upc: String(i + 1), name, price, weight }));

/** Whether each product is in stock (the inventory subgraph's own field). */
const IN_STOCK = new Map(PRODUCTS.map((p, i) => [p.upc, i % 3 !== 1]));

const WORDS = (
  'sturdy light arrived quickly packaging solid works well after weeks daily use would buy again ' +
  'colour matches photos instructions clear assembly took minutes handle feels cheap otherwise ' +
  'great value price fair delivery late customer service helpful replaced part without fuss ' +
  'quiet enough morning heats evenly cleans easily fits small kitchen recommend friends family'
).split(' ');

/** Text of about `length` characters from the word list, the same for the same seed. */
function prose(seed: number, length: number): string {
  let state = seed * 2654435761 % 4294967296;
  const words: string[] = [];
  let size = 0;
  while (size < length) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const word = WORDS[state % WORDS.length];
    words.push(word);
    size += word.length + 1;
  }
  const text = words.join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

/** Which product each review is about, by review number (products 1 and 2 have four each). */
const REVIEWED = [1, 1, 2, 3, 1, 2, 4, 2, 5, 1, 3, 2];
const REVIEWS: Review[] = REVIEWED.map((upc, i) => ({
  id: String(i + 1),
  body: prose(i + 1, 220 + ((i * 7) % 5) * 100),
  productUpc: String(upc),
  // every user wrote two reviews
  authorId: String((i % USERS.length) + 1),
}));

const userById = new Map(USERS.map((u) => [u.id, u]));
const productByUpc = new Map(PRODUCTS.map((p) => [p.upc, p]));
const reviewById = new Map(REVIEWS.map((r) => [r.id, r]));
function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
const reviewsByAuthor = groupBy(REVIEWS, (r) => r.authorId);
const reviewsOfProduct = groupBy(REVIEWS, (r) => r.productUpc);

const accounts: GraphQLResolverMap<unknown> = {
  Query: {
    me: () => USERS[0],
    user: (_: unknown, { id }: { id: string }) => userById.get(id) ?? null,
    users: () => USERS,
  },
  User: {
    __resolveReference: ({ id }: { id: string }) => userById.get(id) ?? null,
  },
};

const products: GraphQLResolverMap<unknown> = {
  Query: {
    topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, Math.max(0, first)),
  },
  Product: {
    __resolveReference: ({ upc }: { upc: string }) => productByUpc.get(upc) ?? null,
  },
};

const inventory: GraphQLResolverMap<unknown> = {
  Product: {
    __resolveReference: ({ upc, price, weight }: { upc: string; price?: number | null; weight?: number | null }) =>
      IN_STOCK.has(upc) ? { upc, price, weight, inStock: IN_STOCK.get(upc) } : null,
    // free shipping above 1000, else a unit per two of weight
    shippingEstimate: ({ price, weight }: { price?: number | null; weight?: number | null }) =>
      price == null || weight == null ? null : price > 1000 ? 0 : Math.floor(weight / 2),
  },
};

const reviews: GraphQLResolverMap<unknown> = {
  Review: {
    __resolveReference: ({ id }: { id: string }) => reviewById.get(id) ?? null,
    product: (review: Review) => ({ upc: review.productUpc }),
    author: (review: Review) => ({ id: review.authorId, username: userById.get(review.authorId)?.username ?? null }),
  },
  User: {
    __resolveReference: ({ id }: { id: string }) => ({ id }),
    reviews: ({ id }: { id: string }) => reviewsByAuthor.get(id) ?? [],
  },
  Product: {
    __resolveReference: ({ upc }: { upc: string }) => ({ upc }),
    reviews: ({ upc }: { upc: string }) => reviewsOfProduct.get(upc) ?? [],
  },
};

export const GUILD_RESOLVERS: Record<GuildSubgraph, GraphQLResolverMap<unknown>> = { accounts, inventory, products, reviews };
