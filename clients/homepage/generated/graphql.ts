/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type Tier =
  | 'BRONZE'
  | 'GOLD'
  | 'PLATINUM'
  | 'SILVER';

export type HomeQueryVariables = Exact<{
  city: string;
  merchantId: string;
}>;


export type HomeQuery = { me: { nickname: string, points: { balance: number, tier: Tier } | null } | null, homepage: { grid: Array<{ service: { title: string, merchant: { name: string } } | null }>, cards: Array<{ service: { title: string, merchant: { name: string, offers: Array<{ title: string }> | null } } | null }> }, merchant: { name: string, offers: Array<{ title: string, remainingStock: number }> | null } | null };

export type HomepageFeedQueryVariables = Exact<{
  city: string;
}>;


export type HomepageFeedQuery = { me: { id: string, nickname: string, points: { balance: number, tier: Tier } | null } | null, homepage: { city: string, grid: Array<{ id: string, title: string, imageUrl: string, service: { id: string, deepLink: string, merchant: { id: string, name: string } } | null }>, banners: Array<{ id: string, title: string, subtitle: string, imageUrl: string, service: { id: string, deepLink: string } | null }> } & ({ cards: Array<{ id: string, title: string, subtitle: string, imageUrl: string, service: { id: string, title: string, merchant: { id: string, name: string, offers: Array<{ id: string, title: string, remainingStock: number }> | null } } | null }> } | { cards?: never }) };

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
  }
  homepage(city: $city) {
    city
    grid {
      id
      title
      imageUrl
      service {
        id
        deepLink
        merchant {
          id
          name
        }
      }
    }
    banners {
      id
      title
      subtitle
      imageUrl
      service {
        id
        deepLink
      }
    }
    ... @defer(label: "cards") {
      cards {
        id
        title
        subtitle
        imageUrl
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
  }
}
    `, {"hash":"sha256:17fde62a2a8852f8006514b1e503084b527e2abf26fe9e743fb050cdc537bdef"}) as unknown as TypedDocumentString<HomepageFeedQuery, HomepageFeedQueryVariables>;