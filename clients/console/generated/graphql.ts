/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Where a placement is in the platform's review. Only APPROVED placements are served. */
export type ReviewStatus =
  | 'APPROVED'
  | 'PENDING'
  | 'REJECTED';

/** The super-app's public positions a merchant can place a service or offer in. */
export type Slot =
  /** Wide rotating banners. */
  | 'BANNER'
  /** The strip at the bottom of the homepage. */
  | 'BASEMENT'
  /** Recommendation cards. */
  | 'CARD'
  /** The nine-square service grid at the top of the homepage. */
  | 'GRID'
  /** News items below the grid. */
  | 'NEWS'
  /** Recommendations on the page shown after paying a merchant. */
  | 'PAYMENT_SUCCESS'
  /** Suggestions shown in the search bar before the user types. */
  | 'SEARCH_HINT';

/** What a merchant submits to be placed; it waits for review. */
export type SubmitPlacementInput = {
  /** Audience categories (who it is meant for, not the merchant's own); empty for everyone. */
  categories?: Array<string>;
  /** Cities to show it in; empty for every city. */
  cities: Array<string>;
  endsAt: string;
  /** A client-chosen key: retrying with it returns the first submission instead of a second one. */
  idempotencyKey: string;
  imageUrl: string;
  merchantId: string;
  /** One of the merchant's offers it promotes, if any. */
  offerId?: string | null | undefined;
  /** One of the merchant's services the placement opens; the placement takes the service's category. */
  serviceId: string;
  slot: Slot;
  /** ISO 8601 instants; endsAt after startsAt, at most a year apart. */
  startsAt: string;
  subtitle: string;
  title: string;
};

export type ConsolePlacementFragment = { id: string, slot: Slot, title: string, subtitle: string, status: ReviewStatus, reviewReason: string | null, service: { id: string } | null, offer: { id: string } | null, targeting: { cities: Array<string>, startsAt: string, endsAt: string }, impressionsByDay: Array<{ day: string, count: number }> };

export type MerchantConsoleQueryVariables = Exact<{
  merchantId: string;
  days: number;
}>;


export type MerchantConsoleQuery = { merchant: { id: string, name: string, category: string, services: Array<{ id: string, title: string, category: string }>, stores: Array<{ city: string }>, placements: Array<{ id: string, slot: Slot, title: string, subtitle: string, status: ReviewStatus, reviewReason: string | null, service: { id: string } | null, offer: { id: string } | null, targeting: { cities: Array<string>, startsAt: string, endsAt: string }, impressionsByDay: Array<{ day: string, count: number }> }>, offers: Array<{ id: string, title: string, claimsByDay: Array<{ day: string, count: number }>, redemptionsByDay: Array<{ day: string, count: number }> }> | null, newMembersByDay: Array<{ day: string, count: number }>, repurchasesByDay: Array<{ day: string, count: number }> } | null };

export type SubmitPlacementMutationVariables = Exact<{
  input: SubmitPlacementInput;
  days: number;
}>;


export type SubmitPlacementMutation = { submitPlacement: { id: string, slot: Slot, title: string, subtitle: string, status: ReviewStatus, reviewReason: string | null, service: { id: string } | null, offer: { id: string } | null, targeting: { cities: Array<string>, startsAt: string, endsAt: string }, impressionsByDay: Array<{ day: string, count: number }> } };

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
export const ConsolePlacementFragmentDoc = new TypedDocumentString(`
    fragment ConsolePlacement on Placement {
  id
  slot
  title
  subtitle
  status
  reviewReason
  service {
    id
  }
  offer {
    id
  }
  targeting {
    cities
    startsAt
    endsAt
  }
  impressionsByDay(days: $days) {
    day
    count
  }
}
    `, {"fragmentName":"ConsolePlacement"}) as unknown as TypedDocumentString<ConsolePlacementFragment, unknown>;
export const MerchantConsoleDocument = new TypedDocumentString(`
    query MerchantConsole($merchantId: ID!, $days: Int!) {
  merchant(id: $merchantId) {
    id
    name
    category
    services {
      id
      title
      category
    }
    stores {
      city
    }
    placements {
      ...ConsolePlacement
    }
    offers(first: 10) {
      id
      title
      claimsByDay(days: $days) {
        day
        count
      }
      redemptionsByDay(days: $days) {
        day
        count
      }
    }
    newMembersByDay(days: $days) {
      day
      count
    }
    repurchasesByDay(days: $days) {
      day
      count
    }
  }
}
    fragment ConsolePlacement on Placement {
  id
  slot
  title
  subtitle
  status
  reviewReason
  service {
    id
  }
  offer {
    id
  }
  targeting {
    cities
    startsAt
    endsAt
  }
  impressionsByDay(days: $days) {
    day
    count
  }
}`, {"hash":"sha256:0201dc85005e59c999a9e1901c368c43d166e43b1678b35bbb2a5187b0f6e53f"}) as unknown as TypedDocumentString<MerchantConsoleQuery, MerchantConsoleQueryVariables>;
export const SubmitPlacementDocument = new TypedDocumentString(`
    mutation SubmitPlacement($input: SubmitPlacementInput!, $days: Int!) {
  submitPlacement(input: $input) {
    ...ConsolePlacement
  }
}
    fragment ConsolePlacement on Placement {
  id
  slot
  title
  subtitle
  status
  reviewReason
  service {
    id
  }
  offer {
    id
  }
  targeting {
    cities
    startsAt
    endsAt
  }
  impressionsByDay(days: $days) {
    day
    count
  }
}`, {"hash":"sha256:2e75d21c70cd6ed86e353628da8d91104862458dbee90c2c4c778a1e6003457e"}) as unknown as TypedDocumentString<SubmitPlacementMutation, SubmitPlacementMutationVariables>;