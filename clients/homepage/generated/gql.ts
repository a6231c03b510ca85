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
    "query GridCatalogue($city: String!, $query: String!) {\n  homepage(city: $city) {\n    city\n    grid {\n      id\n      service {\n        id\n        title\n        category\n        merchant {\n          id\n          name\n        }\n      }\n    }\n  }\n  search(query: $query, city: $city, first: 8) {\n    edges {\n      node {\n        id\n        name\n        services {\n          id\n          title\n          category\n        }\n      }\n    }\n  }\n}": typeof types.GridCatalogueDocument,
    "query Home($city: String!, $merchantId: ID!) {\n  me {\n    nickname\n    points {\n      balance\n      tier\n    }\n  }\n  homepage(city: $city) {\n    grid {\n      service {\n        title\n        merchant {\n          name\n        }\n      }\n    }\n    cards {\n      service {\n        title\n        merchant {\n          name\n          offers(first: 3) {\n            title\n          }\n        }\n      }\n    }\n  }\n  merchant(id: $merchantId) {\n    name\n    offers(first: 10) {\n      title\n      remainingStock\n    }\n  }\n}": typeof types.HomeDocument,
    "query HomepageFeed($city: String!) {\n  me {\n    id\n    nickname\n    points {\n      balance\n      tier\n    }\n    grid {\n      position\n      source\n      service {\n        id\n        title\n        category\n        merchant {\n          id\n          name\n        }\n      }\n    }\n  }\n  homepage(city: $city) {\n    city\n    searchHints {\n      id\n      title\n    }\n    grid {\n      id\n      title\n      service {\n        id\n        title\n        category\n        merchant {\n          id\n          name\n        }\n      }\n    }\n    news {\n      id\n      title\n      subtitle\n      category\n      merchant {\n        id\n      }\n    }\n    banners {\n      id\n      title\n      subtitle\n      category\n      merchant {\n        id\n      }\n    }\n    ... @defer(label: \"cards\") {\n      cards {\n        id\n        title\n        subtitle\n        category\n        service {\n          id\n          title\n          merchant {\n            id\n            name\n            offers(first: 3) {\n              id\n              title\n              remainingStock\n            }\n          }\n        }\n      }\n    }\n    basement {\n      id\n      title\n      category\n      merchant {\n        id\n      }\n    }\n  }\n}": typeof types.HomepageFeedDocument,
    "mutation MoveService($serviceId: ID!, $position: Int!) {\n  moveService(serviceId: $serviceId, position: $position) {\n    ...UserGrid\n  }\n}": typeof types.MoveServiceDocument,
    "mutation PinService($serviceId: ID!, $position: Int) {\n  pinService(serviceId: $serviceId, position: $position) {\n    ...UserGrid\n  }\n}": typeof types.PinServiceDocument,
    "mutation RemoveService($serviceId: ID!) {\n  removeService(serviceId: $serviceId) {\n    ...UserGrid\n  }\n}": typeof types.RemoveServiceDocument,
    "query SearchSuggestions($query: String!, $city: String) {\n  search(query: $query, city: $city, first: 5) {\n    edges {\n      match\n      node {\n        id\n        name\n        category\n      }\n      services {\n        id\n        title\n      }\n    }\n  }\n}": typeof types.SearchSuggestionsDocument,
    "mutation SetGrid($serviceIds: [ID!]!) {\n  setGrid(serviceIds: $serviceIds) {\n    ...UserGrid\n  }\n}": typeof types.SetGridDocument,
    "fragment UserGrid on User {\n  id\n  grid {\n    position\n    source\n    service {\n      id\n      title\n      category\n      merchant {\n        id\n        name\n      }\n    }\n  }\n}": typeof types.UserGridFragmentDoc,
};
const documents: Documents = {
    "query GridCatalogue($city: String!, $query: String!) {\n  homepage(city: $city) {\n    city\n    grid {\n      id\n      service {\n        id\n        title\n        category\n        merchant {\n          id\n          name\n        }\n      }\n    }\n  }\n  search(query: $query, city: $city, first: 8) {\n    edges {\n      node {\n        id\n        name\n        services {\n          id\n          title\n          category\n        }\n      }\n    }\n  }\n}": types.GridCatalogueDocument,
    "query Home($city: String!, $merchantId: ID!) {\n  me {\n    nickname\n    points {\n      balance\n      tier\n    }\n  }\n  homepage(city: $city) {\n    grid {\n      service {\n        title\n        merchant {\n          name\n        }\n      }\n    }\n    cards {\n      service {\n        title\n        merchant {\n          name\n          offers(first: 3) {\n            title\n          }\n        }\n      }\n    }\n  }\n  merchant(id: $merchantId) {\n    name\n    offers(first: 10) {\n      title\n      remainingStock\n    }\n  }\n}": types.HomeDocument,
    "query HomepageFeed($city: String!) {\n  me {\n    id\n    nickname\n    points {\n      balance\n      tier\n    }\n    grid {\n      position\n      source\n      service {\n        id\n        title\n        category\n        merchant {\n          id\n          name\n        }\n      }\n    }\n  }\n  homepage(city: $city) {\n    city\n    searchHints {\n      id\n      title\n    }\n    grid {\n      id\n      title\n      service {\n        id\n        title\n        category\n        merchant {\n          id\n          name\n        }\n      }\n    }\n    news {\n      id\n      title\n      subtitle\n      category\n      merchant {\n        id\n      }\n    }\n    banners {\n      id\n      title\n      subtitle\n      category\n      merchant {\n        id\n      }\n    }\n    ... @defer(label: \"cards\") {\n      cards {\n        id\n        title\n        subtitle\n        category\n        service {\n          id\n          title\n          merchant {\n            id\n            name\n            offers(first: 3) {\n              id\n              title\n              remainingStock\n            }\n          }\n        }\n      }\n    }\n    basement {\n      id\n      title\n      category\n      merchant {\n        id\n      }\n    }\n  }\n}": types.HomepageFeedDocument,
    "mutation MoveService($serviceId: ID!, $position: Int!) {\n  moveService(serviceId: $serviceId, position: $position) {\n    ...UserGrid\n  }\n}": types.MoveServiceDocument,
    "mutation PinService($serviceId: ID!, $position: Int) {\n  pinService(serviceId: $serviceId, position: $position) {\n    ...UserGrid\n  }\n}": types.PinServiceDocument,
    "mutation RemoveService($serviceId: ID!) {\n  removeService(serviceId: $serviceId) {\n    ...UserGrid\n  }\n}": types.RemoveServiceDocument,
    "query SearchSuggestions($query: String!, $city: String) {\n  search(query: $query, city: $city, first: 5) {\n    edges {\n      match\n      node {\n        id\n        name\n        category\n      }\n      services {\n        id\n        title\n      }\n    }\n  }\n}": types.SearchSuggestionsDocument,
    "mutation SetGrid($serviceIds: [ID!]!) {\n  setGrid(serviceIds: $serviceIds) {\n    ...UserGrid\n  }\n}": types.SetGridDocument,
    "fragment UserGrid on User {\n  id\n  grid {\n    position\n    source\n    service {\n      id\n      title\n      category\n      merchant {\n        id\n        name\n      }\n    }\n  }\n}": types.UserGridFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query GridCatalogue($city: String!, $query: String!) {\n  homepage(city: $city) {\n    city\n    grid {\n      id\n      service {\n        id\n        title\n        category\n        merchant {\n          id\n          name\n        }\n      }\n    }\n  }\n  search(query: $query, city: $city, first: 8) {\n    edges {\n      node {\n        id\n        name\n        services {\n          id\n          title\n          category\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql.ts').GridCatalogueDocument;
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
export function graphql(source: "mutation MoveService($serviceId: ID!, $position: Int!) {\n  moveService(serviceId: $serviceId, position: $position) {\n    ...UserGrid\n  }\n}"): typeof import('./graphql.ts').MoveServiceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PinService($serviceId: ID!, $position: Int) {\n  pinService(serviceId: $serviceId, position: $position) {\n    ...UserGrid\n  }\n}"): typeof import('./graphql.ts').PinServiceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RemoveService($serviceId: ID!) {\n  removeService(serviceId: $serviceId) {\n    ...UserGrid\n  }\n}"): typeof import('./graphql.ts').RemoveServiceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SearchSuggestions($query: String!, $city: String) {\n  search(query: $query, city: $city, first: 5) {\n    edges {\n      match\n      node {\n        id\n        name\n        category\n      }\n      services {\n        id\n        title\n      }\n    }\n  }\n}"): typeof import('./graphql.ts').SearchSuggestionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SetGrid($serviceIds: [ID!]!) {\n  setGrid(serviceIds: $serviceIds) {\n    ...UserGrid\n  }\n}"): typeof import('./graphql.ts').SetGridDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment UserGrid on User {\n  id\n  grid {\n    position\n    source\n    service {\n      id\n      title\n      category\n      merchant {\n        id\n        name\n      }\n    }\n  }\n}"): typeof import('./graphql.ts').UserGridFragmentDoc;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
