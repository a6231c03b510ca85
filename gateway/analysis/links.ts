/**
 * The `@link` applications of a supergraph's schema: the spec each one links, and the name
 * it gives the spec's directive when it renames it (`@link(url:, as:)`).
 */
import { Kind, type DocumentNode, type ValueNode } from 'graphql';

/** One `@link` application: its `url` and `as` arguments, when they are strings. */
export interface Link {
  url: string | undefined;
  as: string | undefined;
}

function stringValue(node: ValueNode | undefined): string | undefined {
  return node?.kind === Kind.STRING ? node.value : undefined;
}

/** Every `@link` on the schema definitions and extensions of a supergraph, in document order. */
export function linksIn(document: DocumentNode): Link[] {
  const links: Link[] = [];
  for (const def of document.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of def.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = stringValue(link.arguments?.find((a) => a.name.value === 'url')?.value);
      const as = stringValue(link.arguments?.find((a) => a.name.value === 'as')?.value);
      links.push({ url, as });
    }
  }
  return links;
}
