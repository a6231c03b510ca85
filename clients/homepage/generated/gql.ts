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
    "query Home($city: String!, $merchantId: ID!) {\n  me {\n    nickname\n    points {\n      balance\n      tier\n    }\n  }\n  homepage(city: $city) {\n    grid {\n      service {\n        title\n        merchant {\n          name\n        }\n      }\n    }\n    cards {\n      service {\n        title\n        merchant {\n          name\n          offers(first: 3) {\n            title\n          }\n        }\n      }\n    }\n  }\n  merchant(id: $merchantId) {\n    name\n    offers(first: 10) {\n      title\n      remainingStock\n    }\n  }\n}": typeof types.HomeDocument,
    "query HomepageFeed($city: String!) {\n  me {\n    id\n    nickname\n    points {\n      balance\n      tier\n    }\n    grid {\n      position\n      source\n      service {\n        id\n        title\n        category\n        merchant {\n          id\n          name\n        }\n      }\n    }\n  }\n  homepage(city: $city) {\n    city\n    searchHints {\n      id\n      title\n    }\n    grid {\n      id\n      title\n      service {\n        id\n        title\n        category\n        merchant {\n          id\n          name\n        }\n      }\n    }\n    news {\n      id\n      title\n      subtitle\n      category\n      merchant {\n        id\n      }\n    }\n    banners {\n      id\n      title\n      subtitle\n      category\n      merchant {\n        id\n      }\n    }\n    ... @defer(label: \"cards\") {\n      cards {\n        id\n        title\n        subtitle\n        category\n        service {\n          id\n          title\n          merchant {\n            id\n            name\n            offers(first: 3) {\n              id\n              title\n              remainingStock\n            }\n          }\n        }\n      }\n    }\n    basement {\n      id\n      title\n      category\n      merchant {\n        id\n      }\n    }\n  }\n}": typeof types.HomepageFeedDocument,
    "query SearchSuggestions($query: String!, $city: String) {\n  search(query: $query, city: $city, first: 5) {\n    edges {\n      match\n      node {\n        id\n        name\n        category\n      }\n      services {\n        id\n        title\n      }\n    }\n  }\n}": typeof types.SearchSuggestionsDocument,
};
const documents: Documents = {
    "query Home($city: String!, $merchantId: ID!) {\n  me {\n    nickname\n    points {\n      balance\n      tier\n    }\n  }\n  homepage(city: $city) {\n    grid {\n      service {\n        title\n        merchant {\n          name\n        }\n      }\n    }\n    cards {\n      service {\n        title\n        merchant {\n          name\n          offers(first: 3) {\n            title\n          }\n        }\n      }\n    }\n  }\n  merchant(id: $merchantId) {\n    name\n    offers(first: 10) {\n      title\n      remainingStock\n    }\n  }\n}": types.HomeDocument,
    "query HomepageFeed($city: String!) {\n  me {\n    id\n    nickname\n    points {\n      balance\n      tier\n    }\n    grid {\n      position\n      source\n      service {\n        id\n        title\n        category\n        merchant {\n          id\n          name\n        }\n      }\n    }\n  }\n  homepage(city: $city) {\n    city\n    searchHints {\n      id\n      title\n    }\n    grid {\n      id\n      title\n      service {\n        id\n        title\n        category\n        merchant {\n          id\n          name\n        }\n      }\n    }\n    news {\n      id\n      title\n      subtitle\n      category\n      merchant {\n        id\n      }\n    }\n    banners {\n      id\n      title\n      subtitle\n      category\n      merchant {\n        id\n      }\n    }\n    ... @defer(label: \"cards\") {\n      cards {\n        id\n        title\n        subtitle\n        category\n        service {\n          id\n          title\n          merchant {\n            id\n            name\n            offers(first: 3) {\n              id\n              title\n              remainingStock\n            }\n          }\n        }\n      }\n    }\n    basement {\n      id\n      title\n      category\n      merchant {\n        id\n      }\n    }\n  }\n}": types.HomepageFeedDocument,
    "query SearchSuggestions($query: String!, $city: String) {\n  search(query: $query, city: $city, first: 5) {\n    edges {\n      match\n      node {\n        id\n        name\n        category\n      }\n      services {\n        id\n        title\n      }\n    }\n  }\n}": types.SearchSuggestionsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Home($city: String!, $merchantId: ID!) {\n  me {\n    nickname\n    points {\n      balance\n      tier\n    }\n  }\n  homepage(city: $city) {\n    grid {\n      service {\n        title\n        merchant {\n          name\n        }\n      }\n    }\n    cards {\n      service {\n        title\n        merchant {\n          name\n          offers(first: 3) {\n            title\n          }\n        }\n      }\n    }\n  }\n  merchant(id: $merchantId) {\n    name\n    offers(first: 10) {\n      title\n      remainingStock\n    }\n  }\n}"): typeof import('./graphql.ts').HomeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query HomepageFeed($city: String!) {\n  me {\n    id\n    nickname\n    points {\n      balance\n      tier\n    }\n    grid {\n      position\n      source\n      service {\n        id\n        title\n        category\n        merchant {\n          id\n          name\n        }\n      }\n    }\n  }\n  homepage(city: $city) {\n    city\n    searchHints {\n      id\n      title\n    }\n    grid {\n      id\n      title\n      service {\n        id\n        title\n        category\n        merchant {\n          id\n          name\n        }\n      }\n    }\n    news {\n      id\n      title\n      subtitle\n      category\n      merchant {\n        id\n      }\n    }\n    banners {\n      id\n      title\n      subtitle\n      category\n      merchant {\n        id\n      }\n    }\n    ... @defer(label: \"cards\") {\n      cards {\n        id\n        title\n        subtitle\n        category\n        service {\n          id\n          title\n          merchant {\n            id\n            name\n            offers(first: 3) {\n              id\n              title\n              remainingStock\n            }\n          }\n        }\n      }\n    }\n    basement {\n      id\n      title\n      category\n      merchant {\n        id\n      }\n    }\n  }\n}"): typeof import('./graphql.ts').HomepageFeedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SearchSuggestions($query: String!, $city: String) {\n  search(query: $query, city: $city, first: 5) {\n    edges {\n      match\n      node {\n        id\n        name\n        category\n      }\n      services {\n        id\n        title\n      }\n    }\n  }\n}"): typeof import('./graphql.ts').SearchSuggestionsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
