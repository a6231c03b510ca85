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

export type MerchantConsoleQueryVariables = Exact<{
  merchantId: string;
  days: number;
}>;


export type MerchantConsoleQuery = { merchant: { id: string, name: string, category: string, placements: Array<{ id: string, slot: Slot, title: string, status: ReviewStatus, reviewReason: string | null, targeting: { cities: Array<string>, startsAt: string, endsAt: string }, impressionsByDay: Array<{ day: string, count: number }> }>, offers: Array<{ id: string, title: string, claimsByDay: Array<{ day: string, count: number }>, redemptionsByDay: Array<{ day: string, count: number }> }> | null, newMembersByDay: Array<{ day: string, count: number }>, repurchasesByDay: Array<{ day: string, count: number }> } | null };

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

export const MerchantConsoleDocument = new TypedDocumentString(`
    query MerchantConsole($merchantId: ID!, $days: Int!) {
  merchant(id: $merchantId) {
    id
    name
    category
    placements {
      id
      slot
      title
      status
      reviewReason
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
    `, {"hash":"sha256:eaa60ab7a93e4445829ab2617a25d883252db94161bf2c22290b70cb4968e6e9"}) as unknown as TypedDocumentString<MerchantConsoleQuery, MerchantConsoleQueryVariables>;