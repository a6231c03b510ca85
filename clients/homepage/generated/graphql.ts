/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Where a grid item comes from. */
export type GridItemSource =
  /** The city's default (ranked GRID placements); the user has not placed it. */
  | 'DEFAULT'
  /** The user put it there. */
  | 'USER';

/** Why a merchant is in the search results. */
export type SearchMatch =
  /** Every word is in its name, category or service titles, but not all in its name. */
  | 'KEYWORD'
  /** Every word of the query is in the merchant's name. */
  | 'NAME'
  /** The query was empty: merchants by popularity. */
  | 'POPULAR';

export type Tier =
  | 'BRONZE'
  | 'GOLD'
  | 'PLATINUM'
  | 'SILVER';

export type GridCatalogueQueryVariables = Exact<{
  city: string;
  query: string;
}>;


export type GridCatalogueQuery = { homepage: { city: string, grid: Array<{ id: string, service: { id: string, title: string, category: string, merchant: { id: string, name: string } } | null }> }, search: { edges: Array<{ node: { id: string, name: string, services: Array<{ id: string, title: string, category: string }> } }> } };

export type HomeQueryVariables = Exact<{
  city: string;
  merchantId: string;
}>;


export type HomeQuery = { me: { nickname: string, points: { balance: number, tier: Tier } | null } | null, homepage: { grid: Array<{ service: { title: string, merchant: { name: string } } | null }>, cards: Array<{ service: { title: string, merchant: { name: string, offers: Array<{ title: string }> | null } } | null }> }, merchant: { name: string, offers: Array<{ title: string, remainingStock: number }> | null } | null };

export type HomepageFeedQueryVariables = Exact<{
  city: string;
}>;


export type HomepageFeedQuery = { me: { id: string, nickname: string, points: { balance: number, tier: Tier } | null, grid: Array<{ position: number, source: GridItemSource, service: { id: string, title: string, category: string, merchant: { id: string, name: string } } }> } | null, homepage: { city: string, searchHints: Array<{ id: string, title: string }>, grid: Array<{ id: string, title: string, service: { id: string, title: string, category: string, merchant: { id: string, name: string } } | null }>, news: Array<{ id: string, title: string, subtitle: string, category: string, merchant: { id: string } | null }>, banners: Array<{ id: string, title: string, subtitle: string, category: string, merchant: { id: string } | null }>, basement: Array<{ id: string, title: string, category: string, merchant: { id: string } | null }> } & ({ cards: Array<{ id: string, title: string, subtitle: string, category: string, service: { id: string, title: string, merchant: { id: string, name: string, offers: Array<{ id: string, title: string, remainingStock: number }> | null } } | null }> } | { cards?: never }) };

export type MoveServiceMutationVariables = Exact<{
  serviceId: string;
  position: number;
}>;


export type MoveServiceMutation = { moveService: { id: string, grid: Array<{ position: number, source: GridItemSource, service: { id: string, title: string, category: string, merchant: { id: string, name: string } } }> } };

export type PinServiceMutationVariables = Exact<{
  serviceId: string;
  position?: number | null | undefined;
}>;


export type PinServiceMutation = { pinService: { id: string, grid: Array<{ position: number, source: GridItemSource, service: { id: string, title: string, category: string, merchant: { id: string, name: string } } }> } };

export type RemoveServiceMutationVariables = Exact<{
  serviceId: string;
}>;


export type RemoveServiceMutation = { removeService: { id: string, grid: Array<{ position: number, source: GridItemSource, service: { id: string, title: string, category: string, merchant: { id: string, name: string } } }> } };

export type SearchSuggestionsQueryVariables = Exact<{
  query: string;
  city?: string | null | undefined;
}>;


export type SearchSuggestionsQuery = { search: { edges: Array<{ match: SearchMatch, node: { id: string, name: string, category: string }, services: Array<{ id: string, title: string }> }> } };

export type SetGridMutationVariables = Exact<{
  serviceIds: Array<string> | string;
}>;


export type SetGridMutation = { setGrid: { id: string, grid: Array<{ position: number, source: GridItemSource, service: { id: string, title: string, category: string, merchant: { id: string, name: string } } }> } };

export type UserGridFragment = { id: string, grid: Array<{ position: number, source: GridItemSource, service: { id: string, title: string, category: string, merchant: { id: string, name: string } } }> };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const UserGridFragmentDoc = new TypedDocumentString(`
    fragment UserGrid on User {
  id
  grid {
    position
    source
    service {
      id
      title
      category
      merchant {
        id
        name
      }
    }
  }
}
    `, {"fragmentName":"UserGrid"}) as unknown as TypedDocumentString<UserGridFragment, unknown>;
export const GridCatalogueDocument = new TypedDocumentString(`
    query GridCatalogue($city: String!, $query: String!) {
  homepage(city: $city) {
    city
    grid {
      id
      service {
        id
        title
        category
        merchant {
          id
          name
        }
      }
    }
  }
  search(query: $query, city: $city, first: 8) {
    edges {
      node {
        id
        name
        services {
          id
          title
          category
        }
      }
    }
  }
}
    `, {"hash":"sha256:0bc16112f05f0b73b0047fd7a8c85cb5733a4638d543c8ad224c79b2331b3439"}) as unknown as TypedDocumentString<GridCatalogueQuery, GridCatalogueQueryVariables>;
export const HomeDocument = new TypedDocumentString(`
    query Home($city: String!, $merchantId: ID!) {
  me {
    nickname
    points {
      balance
      tier
    }
  }
  homepage(city: $city) {
    grid {
      service {
        title
        merchant {
          name
        }
      }
    }
    cards {
      service {
        title
        merchant {
          name
          offers(first: 3) {
            title
          }
        }
      }
    }
  }
  merchant(id: $merchantId) {
    name
    offers(first: 10) {
      title
      remainingStock
    }
  }
}
    `, {"hash":"sha256:442aabfb426486856a86aacc64d622737095cc1aa387790223f68abb8c5aedb8"}) as unknown as TypedDocumentString<HomeQuery, HomeQueryVariables>;
export const HomepageFeedDocument = new TypedDocumentString(`
    query HomepageFeed($city: String!) {
  me {
    id
    nickname
    points {
      balance
      tier
    }
    grid {
      position
      source
      service {
        id
        title
        category
        merchant {
          id
          name
        }
      }
    }
  }
  homepage(city: $city) {
    city
    searchHints {
      id
      title
    }
    grid {
      id
      title
      service {
        id
        title
        category
        merchant {
          id
          name
        }
      }
    }
    news {
      id
      title
      subtitle
      category
      merchant {
        id
      }
    }
    banners {
      id
      title
      subtitle
      category
      merchant {
        id
      }
    }
    ... @defer(label: "cards") {
      cards {
        id
        title
        subtitle
        category
        service {
          id
          title
          merchant {
            id
            name
            offers(first: 3) {
              id
              title
              remainingStock
            }
          }
        }
      }
    }
    basement {
      id
      title
      category
      merchant {
        id
      }
    }
  }
}
    `, {"hash":"sha256:5ee8c57986e23c42ea9d13449c79047bfe2ffd01b3f46f08ce37960124808ee1"}) as unknown as TypedDocumentString<HomepageFeedQuery, HomepageFeedQueryVariables>;
export const MoveServiceDocument = new TypedDocumentString(`
    mutation MoveService($serviceId: ID!, $position: Int!) {
  moveService(serviceId: $serviceId, position: $position) {
    ...UserGrid
  }
}
    fragment UserGrid on User {
  id
  grid {
    position
    source
    service {
      id
      title
      category
      merchant {
        id
        name
      }
    }
  }
}`, {"hash":"sha256:b86329f5ec8fad4c4ab4febafefd09f2a70c30d79a0e6a029ef16db795947a7b"}) as unknown as TypedDocumentString<MoveServiceMutation, MoveServiceMutationVariables>;
export const PinServiceDocument = new TypedDocumentString(`
    mutation PinService($serviceId: ID!, $position: Int) {
  pinService(serviceId: $serviceId, position: $position) {
    ...UserGrid
  }
}
    fragment UserGrid on User {
  id
  grid {
    position
    source
    service {
      id
      title
      category
      merchant {
        id
        name
      }
    }
  }
}`, {"hash":"sha256:620c762a52ffeaf4c032b414530861373379693683acac2addc2bd65fd10f5d8"}) as unknown as TypedDocumentString<PinServiceMutation, PinServiceMutationVariables>;
export const RemoveServiceDocument = new TypedDocumentString(`
    mutation RemoveService($serviceId: ID!) {
  removeService(serviceId: $serviceId) {
    ...UserGrid
  }
}
    fragment UserGrid on User {
  id
  grid {
    position
    source
    service {
      id
      title
      category
      merchant {
        id
        name
      }
    }
  }
}`, {"hash":"sha256:308a0f6f3850ccb7ceaca48eb2b51de0c6f26f325d2068af9eb58be5958412e5"}) as unknown as TypedDocumentString<RemoveServiceMutation, RemoveServiceMutationVariables>;
export const SearchSuggestionsDocument = new TypedDocumentString(`
    query SearchSuggestions($query: String!, $city: String) {
  search(query: $query, city: $city, first: 5) {
    edges {
      match
      node {
        id
        name
        category
      }
      services {
        id
        title
      }
    }
  }
}
    `, {"hash":"sha256:0162b33e02b3091d1922459f8fec5eaf9005f9066ba64e7a5ab3807d0905dea6"}) as unknown as TypedDocumentString<SearchSuggestionsQuery, SearchSuggestionsQueryVariables>;
export const SetGridDocument = new TypedDocumentString(`
    mutation SetGrid($serviceIds: [ID!]!) {
  setGrid(serviceIds: $serviceIds) {
    ...UserGrid
  }
}
    fragment UserGrid on User {
  id
  grid {
    position
    source
    service {
      id
      title
      category
      merchant {
        id
        name
      }
    }
  }
}`, {"hash":"sha256:28bddf09d7b47a435953d25ac69529ade9a7af757cc2c2a1558f1c57c02709e1"}) as unknown as TypedDocumentString<SetGridMutation, SetGridMutationVariables>;