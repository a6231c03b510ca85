/* eslint-disable */
import * as types from './graphql.ts';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment ConsolePlacement on Placement {\n  id\n  slot\n  title\n  subtitle\n  status\n  reviewReason\n  service {\n    id\n  }\n  offer {\n    id\n  }\n  targeting {\n    cities\n    startsAt\n    endsAt\n  }\n  impressionsByDay(days: $days) {\n    day\n    count\n  }\n}": typeof types.ConsolePlacementFragmentDoc,
    "query MerchantConsole($merchantId: ID!, $days: Int!) {\n  merchant(id: $merchantId) {\n    id\n    name\n    category\n    services {\n      id\n      title\n      category\n    }\n    stores {\n      city\n    }\n    placements {\n      ...ConsolePlacement\n    }\n    offers(first: 10) {\n      id\n      title\n      claimsByDay(days: $days) {\n        day\n        count\n      }\n      redemptionsByDay(days: $days) {\n        day\n        count\n      }\n    }\n    newMembersByDay(days: $days) {\n      day\n      count\n    }\n    repurchasesByDay(days: $days) {\n      day\n      count\n    }\n  }\n}": typeof types.MerchantConsoleDocument,
    "mutation SubmitPlacement($input: SubmitPlacementInput!, $days: Int!) {\n  submitPlacement(input: $input) {\n    ...ConsolePlacement\n  }\n}": typeof types.SubmitPlacementDocument,
};
const documents: Documents = {
    "fragment ConsolePlacement on Placement {\n  id\n  slot\n  title\n  subtitle\n  status\n  reviewReason\n  service {\n    id\n  }\n  offer {\n    id\n  }\n  targeting {\n    cities\n    startsAt\n    endsAt\n  }\n  impressionsByDay(days: $days) {\n    day\n    count\n  }\n}": types.ConsolePlacementFragmentDoc,
    "query MerchantConsole($merchantId: ID!, $days: Int!) {\n  merchant(id: $merchantId) {\n    id\n    name\n    category\n    services {\n      id\n      title\n      category\n    }\n    stores {\n      city\n    }\n    placements {\n      ...ConsolePlacement\n    }\n    offers(first: 10) {\n      id\n      title\n      claimsByDay(days: $days) {\n        day\n        count\n      }\n      redemptionsByDay(days: $days) {\n        day\n        count\n      }\n    }\n    newMembersByDay(days: $days) {\n      day\n      count\n    }\n    repurchasesByDay(days: $days) {\n      day\n      count\n    }\n  }\n}": types.MerchantConsoleDocument,
    "mutation SubmitPlacement($input: SubmitPlacementInput!, $days: Int!) {\n  submitPlacement(input: $input) {\n    ...ConsolePlacement\n  }\n}": types.SubmitPlacementDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ConsolePlacement on Placement {\n  id\n  slot\n  title\n  subtitle\n  status\n  reviewReason\n  service {\n    id\n  }\n  offer {\n    id\n  }\n  targeting {\n    cities\n    startsAt\n    endsAt\n  }\n  impressionsByDay(days: $days) {\n    day\n    count\n  }\n}"): typeof import('./graphql.ts').ConsolePlacementFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MerchantConsole($merchantId: ID!, $days: Int!) {\n  merchant(id: $merchantId) {\n    id\n    name\n    category\n    services {\n      id\n      title\n      category\n    }\n    stores {\n      city\n    }\n    placements {\n      ...ConsolePlacement\n    }\n    offers(first: 10) {\n      id\n      title\n      claimsByDay(days: $days) {\n        day\n        count\n      }\n      redemptionsByDay(days: $days) {\n        day\n        count\n      }\n    }\n    newMembersByDay(days: $days) {\n      day\n      count\n    }\n    repurchasesByDay(days: $days) {\n      day\n      count\n    }\n  }\n}"): typeof import('./graphql.ts').MerchantConsoleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SubmitPlacement($input: SubmitPlacementInput!, $days: Int!) {\n  submitPlacement(input: $input) {\n    ...ConsolePlacement\n  }\n}"): typeof import('./graphql.ts').SubmitPlacementDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
