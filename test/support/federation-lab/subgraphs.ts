/**
 * The federation lab's subgraphs: each one SDL and its resolvers over the lab world
 * (./world.ts). Together they use Federation's hard features, each on purpose:
 *
 * - products: Product with two keys, one compound and nested (`sku variation { id }`);
 *   an enum value and a field @inaccessible; the fields inventory takes over (@override);
 *   User as a @context whose `currency` (@external, from accounts) feeds
 *   CartLine.total through @fromContext; Node implemented here by Product.
 * - inventory: @requires of a nested field set (`price dimensions { weight unit }`) and of
 *   an inaccessible field; @override(from: "products") in full and progressively at 0 %
 *   and 100 %; Product.name @shareable with products; a field error inside `_entities`.
 * - reviews: @provides (Review.author's name); Media as an @interfaceObject adding
 *   reviews to every book and film; a non-null field that fails inside `_entities`; a
 *   list of reviews with a null in it; mutations.
 * - media: Media, an interface entity implemented by Book and Movie; a union with a member
 *   (Product) that lives in other subgraphs; a film whose non-null field is null.
 * - accounts: User (Node here too, so Node's implementations live in two subgraphs), a
 *   wishlist of products known only by their compound key, an inaccessible enum value,
 *   and one user whose non-null username it answers as null (a subgraph breaking its
 *   own schema: the gateway must catch it); mutations.
 * - recommendations: a subgraph that is down (never answers).
 */
import { createRequire } from 'node:module';
import { labWorld, mediaById, productBySku, productByUpc, reviewById, userById, type LabMedia, type LabProduct, type LabReview, type LabUser } from './world.ts';

/** graphql as @apollo/subgraph (CommonJS) loads it: errors thrown in resolvers are its GraphQLErrors. */
const { GraphQLError } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

export type LabSubgraphName = 'products' | 'inventory' | 'reviews' | 'media' | 'accounts' | 'recommendations';

export interface LabSubgraphDefinition {
  name: LabSubgraphName;
  typeDefs: string;
  resolvers: Record<string, any>;
  /** Rewrites an answer before it is sent (a subgraph that breaks its own schema). */
  tamper?: (result: { data?: any; errors?: unknown[] }) => void;
}

const FEDERATION = (imports: string[]) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: [${imports.map((i) => `"${i}"`).join(', ')}])\n`;

type Ref = Record<string, any>;

const productOf = (ref: Ref): LabProduct | null =>
  ref.upc !== undefined ? productByUpc(ref.upc) : ref.sku !== undefined && ref.variation ? productBySku(ref.sku, ref.variation.id) : null;

function mediaRef(m: LabMedia) {
  return { __typename: m.kind, id: m.id };
}

// ------------------------------------------------------------------ products

/** Line `userId:index` of a user's cart: its product (null if withdrawn) and quantity index + 1. */
function cartLine(id: string) {
  const [userId, index] = id.split(':');
  const upc = userById(userId)?.cart[Number(index)];
  return upc === undefined ? null : { id, product: productByUpc(upc), quantity: Number(index) + 1 };
}

const products: LabSubgraphDefinition = {
  name: 'products',
  typeDefs:
    FEDERATION(['@key', '@shareable', '@inaccessible', '@external', '@context', '@fromContext']) +
    /* GraphQL */ `
    type Query {
      product(upc: ID!): Product
      productBySku(sku: String!, variationId: ID!): Product
      "Every product, with a null where a product was withdrawn."
      products: [Product]!
      topProducts(first: Int! = 3): [Product!]!
      node(id: ID!): Node
    }

    interface Node {
      id: ID!
    }

    type Product implements Node @key(fields: "upc") @key(fields: "sku variation { id }") {
      id: ID!
      upc: ID!
      sku: String!
      variation: Variation!
      name: String! @shareable
      price: Int
      dimensions: Dimensions
      status: ProductStatus
      "Non-null: a product in a hidden state cannot be shown at all."
      lifecycle: ProductStatus!
      internalCode: String! @inaccessible
      inStock: Boolean!
      stock: Int
      warehouse: String
    }

    "A product in a user's cart, reachable only through its User (the context of its total)."
    type CartLine @key(fields: "id") {
      id: ID!
      product: Product
      quantity: Int!
      "The line's price in the shopper's currency, which products does not know: it comes from the User the line was reached through."
      total(currency: String @fromContext(field: "$shopper { currency }")): String
    }

    type Variation @shareable {
      id: ID!
      name: String!
    }

    type Dimensions @shareable {
      size: String!
      weight: Float!
      unit: String!
    }

    enum ProductStatus {
      AVAILABLE
      DISCONTINUED
      LEGACY @inaccessible
    }

    type User @key(fields: "id") @context(name: "shopper") {
      id: ID!
      currency: String! @external
      cart: [CartLine!]!
    }
  `,
  resolvers: {
    Query: {
      product: (_: unknown, { upc }: { upc: string }) => productByUpc(upc),
      productBySku: (_: unknown, { sku, variationId }: { sku: string; variationId: string }) => productBySku(sku, variationId),
      products: () => [labWorld.products[0], labWorld.products[1], null, ...labWorld.products.slice(2)],
      topProducts: (_: unknown, { first }: { first: number }) => labWorld.products.slice(0, Math.max(0, first)),
      node: (_: unknown, { id }: { id: string }) => (id.startsWith('product:') ? productByUpc(id.slice('product:'.length)) : null),
    },
    Node: { __resolveType: () => 'Product' },
    Product: {
      __resolveReference: (ref: Ref) => productOf(ref),
      id: (p: LabProduct) => `product:${p.upc}`,
      lifecycle: (p: LabProduct) => p.status,
      inStock: (p: LabProduct) => p.legacy.inStock,
      stock: (p: LabProduct) => p.legacy.stock,
      warehouse: (p: LabProduct) => p.legacy.warehouse,
    },
    CartLine: {
      __resolveReference: (ref: Ref) => cartLine(ref.id),
      total: (line: { product: LabProduct | null; quantity: number }, { currency }: { currency?: string | null }) =>
        line.product ? `${currency ?? 'NO-CURRENCY'} ${((line.product.price * line.quantity) / 100).toFixed(2)}` : null,
    },
    User: {
      __resolveReference: (ref: Ref) => {
        const user = userById(ref.id);
        return user ? { ...user, currency: ref.currency } : null;
      },
      cart: (u: LabUser) => u.cart.map((_, i) => cartLine(`${u.id}:${i}`)),
    },
  },
};

// ------------------------------------------------------------------ inventory

const inventory: LabSubgraphDefinition = {
  name: 'inventory',
  typeDefs:
    FEDERATION(['@key', '@shareable', '@external', '@requires', '@override']) +
    /* GraphQL */ `
    type Query {
      "Products running low, answered by inventory itself (their names too)."
      lowStock(below: Int! = 5): [Product!]!
    }

    type Mutation {
      restock(upc: ID!, amount: Int!): Product
    }

    type Product @key(fields: "upc") {
      upc: ID!
      name: String! @shareable
      price: Int @external
      dimensions: Dimensions @external
      internalCode: String! @external
      "Needs fields of products, one of them nested: fails for weights in pounds."
      shippingEstimate: Int @requires(fields: "price dimensions { weight unit }")
      restockNote: String @requires(fields: "internalCode")
      inStock: Boolean! @override(from: "products")
      stock: Int @override(from: "products", label: "percent(0)")
      warehouse: String @override(from: "products", label: "percent(100)")
    }

    type Dimensions @shareable {
      size: String!
      weight: Float!
      unit: String!
    }
  `,
  resolvers: {
    Query: {
      lowStock: (_: unknown, { below }: { below: number }) => labWorld.products.filter((p) => p.inventory.stock < below),
    },
    Mutation: {
      restock: (_: unknown, { upc, amount }: { upc: string; amount: number }) => {
        const p = productByUpc(upc);
        labWorld.mutations++;
        if (!p) return null;
        p.inventory.stock += amount;
        p.inventory.inStock = p.inventory.stock > 0;
        return p;
      },
    },
    Product: {
      __resolveReference: (ref: Ref) => {
        const p = productByUpc(ref.upc);
        return p ? { ...p, ...('price' in ref ? { price: ref.price } : {}), ...('dimensions' in ref ? { dimensions: ref.dimensions } : {}), requiredCode: ref.internalCode } : null;
      },
      shippingEstimate: (p: LabProduct) => {
        const { weight, unit } = p.dimensions;
        if (unit !== 'kg') throw new GraphQLError(`No shipping rates for weights in ${unit}`, { extensions: { code: 'NO_RATES' } });
        return Math.round(p.price / 1000) + Math.round(weight * 10);
      },
      restockNote: (p: LabProduct & { requiredCode?: string }) => `reorder ${p.requiredCode ?? 'without code'}`,
      inStock: (p: LabProduct) => p.inventory.inStock,
      stock: (p: LabProduct) => p.inventory.stock,
      warehouse: (p: LabProduct) => p.inventory.warehouse,
    },
  },
};

// ------------------------------------------------------------------ reviews

let nextReview = 100;

const reviews: LabSubgraphDefinition = {
  name: 'reviews',
  typeDefs:
    FEDERATION(['@key', '@external', '@provides', '@interfaceObject']) +
    /* GraphQL */ `
    type Query {
      review(id: ID!): Review
      topReviews(first: Int! = 3): [Review!]!
      "Books and films by number of reviews; reviews knows them only as Media."
      mostReviewed: [Media!]!
    }

    type Mutation {
      addReview(upc: ID!, authorId: ID!, body: String!, rating: Int!): Review!
    }

    type Review @key(fields: "id") {
      id: ID!
      body: String!
      rating: Int!
      author: User @provides(fields: "name")
      product: Product
      media: Media
    }

    type User @key(fields: "id") {
      id: ID!
      name: String @external
      reviews: [Review!]!
    }

    type Product @key(fields: "upc") {
      upc: ID!
      "With a null where a review was deleted."
      reviews: [Review]!
      "Fails for one product: a non-null field's error inside _entities."
      reviewCount: Int!
    }

    type Media @key(fields: "id") @interfaceObject {
      id: ID!
      reviews: [Review!]!
      averageRating: Float
    }
  `,
  resolvers: {
    Query: {
      review: (_: unknown, { id }: { id: string }) => reviewById(id),
      topReviews: (_: unknown, { first }: { first: number }) => [...labWorld.reviews].sort((a, b) => b.rating - a.rating || (a.id < b.id ? -1 : 1)).slice(0, Math.max(0, first)),
      mostReviewed: () => {
        const counts = new Map<string, number>();
        for (const r of labWorld.reviews) if ('media' in r.about) counts.set(r.about.media, (counts.get(r.about.media) ?? 0) + 1);
        return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => ({ id }));
      },
    },
    Mutation: {
      addReview: (_: unknown, args: { upc: string; authorId: string; body: string; rating: number }) => {
        labWorld.mutations++;
        const review: LabReview = { id: `r${nextReview++}`, body: `${args.body} (#${labWorld.mutations})`, rating: args.rating, authorId: args.authorId, about: { product: args.upc } };
        labWorld.reviews.push(review);
        return review;
      },
    },
    Review: {
      __resolveReference: (ref: Ref) => reviewById(ref.id),
      author: (r: LabReview) => {
        const user = userById(r.authorId);
        return user ? { id: user.id, name: user.name } : null;
      },
      product: (r: LabReview) => ('product' in r.about ? { upc: r.about.product } : null),
      media: (r: LabReview) => ('media' in r.about ? { id: r.about.media } : null),
    },
    User: {
      __resolveReference: (ref: Ref) => ({ id: ref.id }),
      reviews: (u: { id: string }) => labWorld.reviews.filter((r) => r.authorId === u.id),
    },
    Product: {
      __resolveReference: (ref: Ref) => ({ upc: ref.upc }),
      reviews: (p: { upc: string }) => {
        const list: (LabReview | null)[] = labWorld.reviews.filter((r) => 'product' in r.about && r.about.product === p.upc);
        const deleted = labWorld.deletedReviewSlots[p.upc];
        if (deleted !== undefined) list.splice(deleted, 0, null);
        return list;
      },
      reviewCount: (p: { upc: string }) => {
        if (p.upc === 'p4') throw new GraphQLError('Review counts for p4 are being rebuilt', { extensions: { code: 'REVIEWS_REBUILDING' } });
        return labWorld.reviews.filter((r) => 'product' in r.about && r.about.product === p.upc).length;
      },
    },
    Media: {
      __resolveReference: (ref: Ref) => ({ id: ref.id }),
      reviews: (m: { id: string }) => labWorld.reviews.filter((r) => 'media' in r.about && r.about.media === m.id),
      averageRating: (m: { id: string }) => {
        const ratings = labWorld.reviews.filter((r) => 'media' in r.about && r.about.media === m.id).map((r) => r.rating);
        return ratings.length ? ratings.reduce((a, b) => a + b, 0) / ratings.length : null;
      },
    },
  },
};

/** Reviews added by mutations get ids from r100 on again. */
export function resetReviewIds(): void {
  nextReview = 100;
}

// ------------------------------------------------------------------ media

const media: LabSubgraphDefinition = {
  name: 'media',
  typeDefs:
    FEDERATION(['@key']) +
    /* GraphQL */ `
    type Query {
      "Every book and film; one film cannot be shown (its non-null minutes are missing)."
      media: [Media]!
      mediaItem(id: ID!): Media
      search(term: String!): [SearchResult!]!
    }

    interface Media @key(fields: "id") {
      id: ID!
      title: String!
    }

    type Book implements Media @key(fields: "id") {
      id: ID!
      title: String!
      pages: Int!
      author: User
    }

    type Movie implements Media @key(fields: "id") {
      id: ID!
      title: String!
      minutes: Int!
    }

    union SearchResult = Book | Movie | Product

    type Product @key(fields: "upc") {
      upc: ID!
    }

    type User @key(fields: "id", resolvable: false) {
      id: ID!
    }
  `,
  resolvers: {
    Query: {
      media: () => labWorld.media.map(mediaRef),
      mediaItem: (_: unknown, { id }: { id: string }) => {
        const m = mediaById(id);
        return m ? mediaRef(m) : null;
      },
      search: (_: unknown, { term }: { term: string }) => {
        const t = term.toLowerCase();
        const found: Ref[] = labWorld.media.filter((m) => m.title.toLowerCase().includes(t)).map(mediaRef);
        for (const p of labWorld.products) if (p.name.toLowerCase().includes(t)) found.push({ __typename: 'Product', upc: p.upc });
        return found;
      },
    },
    Media: {
      __resolveReference: (ref: Ref) => {
        const m = mediaById(ref.id);
        return m ? mediaRef(m) : null;
      },
      __resolveType: (m: Ref) => m.__typename,
    },
    Book: {
      __resolveReference: (ref: Ref) => (mediaById(ref.id)?.kind === 'Book' ? { __typename: 'Book', id: ref.id } : null),
      title: (b: Ref) => mediaById(b.id)!.title,
      pages: (b: Ref) => mediaById(b.id)!.length,
      author: (b: Ref) => {
        const authorId = mediaById(b.id)!.authorId;
        return authorId ? { id: authorId } : null;
      },
    },
    Movie: {
      __resolveReference: (ref: Ref) => (mediaById(ref.id)?.kind === 'Movie' ? { __typename: 'Movie', id: ref.id } : null),
      title: (m: Ref) => mediaById(m.id)!.title,
      minutes: (m: Ref) => mediaById(m.id)!.length,
    },
    SearchResult: { __resolveType: (r: Ref) => r.__typename },
    Product: { __resolveReference: (ref: Ref) => ({ upc: ref.upc }) },
  },
};

// ------------------------------------------------------------------ accounts

const accounts: LabSubgraphDefinition = {
  name: 'accounts',
  typeDefs:
    FEDERATION(['@key', '@shareable', '@inaccessible']) +
    /* GraphQL */ `
    type Query {
      me: User
      user(id: ID!): User
      "Every user; one of them breaks the schema (see User.username)."
      users: [User]!
      accountNode(id: ID!): Node
    }

    type Mutation {
      renameUser(id: ID!, name: String!): User
    }

    interface Node {
      id: ID!
    }

    type User implements Node @key(fields: "id") {
      id: ID!
      "Shareable: reviews provides it too (@provides)."
      name: String @shareable
      username: String!
      currency: String!
      tier: Tier
      email: String @inaccessible
      wishlist: [Product]!
    }

    enum Tier {
      BRONZE
      SILVER
      GOLD
      STAFF @inaccessible
    }

    type Product @key(fields: "sku variation { id }", resolvable: false) {
      sku: String!
      variation: Variation!
    }

    type Variation @shareable {
      id: ID!
    }
  `,
  resolvers: {
    Query: {
      me: () => userById('u1'),
      user: (_: unknown, { id }: { id: string }) => userById(id),
      users: () => labWorld.users,
      accountNode: (_: unknown, { id }: { id: string }) => userById(id),
    },
    Mutation: {
      renameUser: (_: unknown, { id, name }: { id: string; name: string }) => {
        labWorld.mutations++;
        const user = userById(id);
        if (!user) return null;
        user.name = `${name} (#${labWorld.mutations})`;
        return user;
      },
    },
    Node: { __resolveType: () => 'User' },
    User: {
      __resolveReference: (ref: Ref) => userById(ref.id),
      email: (u: LabUser) => `${u.username}@lab.test`,
      wishlist: (u: LabUser) => u.wishlist.map((w) => ({ sku: w.sku, variation: { id: w.variationId } })),
    },
  },
  // answers the broken user's username as null (under whatever alias), breaking the non-null the schema promises
  tamper(result) {
    const broken = new Set(labWorld.users.filter((u) => u.brokenUsername).map((u) => u.username));
    const visit = (value: any): void => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object') {
        for (const key of Object.keys(value)) {
          if (typeof value[key] === 'string' && broken.has(value[key])) value[key] = null;
          else visit(value[key]);
        }
      }
    };
    visit(result.data);
  },
};

// ------------------------------------------------------------------ recommendations (down)

const recommendations: LabSubgraphDefinition = {
  name: 'recommendations',
  typeDefs:
    FEDERATION(['@key']) +
    /* GraphQL */ `
    type Query {
      recommendations: [Product!]
    }

    type Product @key(fields: "upc") {
      upc: ID!
      recommended: [Product!]
    }
  `,
  resolvers: {
    Query: { recommendations: () => labWorld.products.slice(0, 2) },
    Product: {
      __resolveReference: (ref: Ref) => ({ upc: ref.upc }),
      recommended: () => labWorld.products.slice(0, 2),
    },
  },
};

export const LAB_SUBGRAPHS: readonly LabSubgraphDefinition[] = [products, inventory, reviews, media, accounts, recommendations];
/** The subgraph the lab never starts: every fetch to it fails to connect. */
export const DOWN_SUBGRAPH: LabSubgraphName = 'recommendations';
