/**
 * Contracts: the part of the graph one audience may see. Subgraphs mark it with
 * Federation's `@tag(name: "partner")` on fields (or on a whole type); the contract is the
 * API schema less every field neither it nor its type carries the tag, less whatever that
 * leaves empty or unreachable. Built with graphql-js alone, from the supergraph's SDL.
 */
import {
  buildASTSchema,
  buildSchema,
  Kind,
  parse,
  printSchema,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLSchema,
  type InputValueDefinitionNode,
  type NamedTypeNode,
  type TypeNode,
  type ValueNode,
} from 'graphql';
import { linksIn } from './analysis/links.ts';

/** The tag of the partner contract. */
export const PARTNER_TAG = 'partner';

const TAG_SPEC = 'https://specs.apollo.dev/tag/';
const BUILT_IN_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);
const ROOTS = ['Query', 'Mutation', 'Subscription'];

function stringValue(node: ValueNode | undefined): string | undefined {
  return node?.kind === Kind.STRING ? node.value : undefined;
}

/** The name the supergraph gives `@tag` (it can be renamed with `@link(as:)`). */
function tagDirectiveName(document: DocumentNode): string {
  return linksIn(document).find(({ url, as }) => url?.startsWith(TAG_SPEC) && as)?.as ?? 'tag';
}

function carries(directives: readonly DirectiveNode[] | undefined, directive: string, tag: string): boolean {
  return (directives ?? []).some((d) => d.name.value === directive && stringValue(d.arguments?.find((a) => a.name.value === 'name')?.value) === tag);
}

/** What a supergraph tags with `tag`: whole types, and fields as `Type.field`. */
export function taggedIn(supergraphSdl: string, tag: string): { types: Set<string>; fields: Set<string> } {
  const document = parse(supergraphSdl);
  const directive = tagDirectiveName(document);
  const types = new Set<string>();
  const fields = new Set<string>();
  for (const def of document.definitions) {
    if (!('name' in def) || !def.name || !('directives' in def)) continue;
    const typeName = def.name.value;
    if (carries(def.directives, directive, tag)) types.add(typeName);
    if (!('fields' in def) || !def.fields) continue;
    for (const field of def.fields) if (carries(field.directives, directive, tag)) fields.add(`${typeName}.${field.name.value}`);
  }
  return { types, fields };
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

type Definition = Extract<DefinitionNode, { name: { value: string } }>;

/**
 * The contract of an API schema: the fields tagged `tag` (or on a tagged type), the types
 * they reach through results, arguments, input fields, unions and interfaces, and nothing
 * else. An object left with no field is gone, and so is every field returning it.
 */
export function contractSdl(supergraphSdl: string, apiSchema: GraphQLSchema, tag: string = PARTNER_TAG): string {
  const tagged = taggedIn(supergraphSdl, tag);
  const api = parse(printSchema(apiSchema));
  const byName = new Map<string, Definition>();
  const directives = [];
  for (const def of api.definitions) {
    if (def.kind === Kind.DIRECTIVE_DEFINITION) directives.push(def);
    else if ('name' in def && def.name) byName.set(def.name.value, def as Definition);
  }
  // fields of objects and interfaces the tag lets through, by type; shrinks until nothing changes
  const open = new Map<string, FieldDefinitionNode[]>();
  for (const [name, def] of byName) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    const whole = tagged.types.has(name);
    open.set(name, (def.fields ?? []).filter((f) => whole || tagged.fields.has(`${name}.${f.name.value}`)));
  }
  let kept = new Set<string>();
  for (;;) {
    kept = reachable(byName, open);
    let changed = false;
    for (const [name, fields] of open) {
      const left = fields.filter((f) => isKnown(f, kept) && (f.arguments ?? []).every((a) => isKnown(a, kept)));
      if (left.length !== fields.length) {
        open.set(name, left);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const definitions: DefinitionNode[] = [];
  for (const [name, def] of byName) {
    if (!kept.has(name)) continue;
    if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      const interfaces = (def.interfaces ?? []).filter((i) => kept.has(i.name.value));
      definitions.push({ ...def, fields: open.get(name), interfaces } as Definition);
    } else if (def.kind === Kind.UNION_TYPE_DEFINITION) {
      definitions.push({ ...def, types: (def.types ?? []).filter((t) => kept.has(t.name.value)) });
    } else definitions.push(def);
  }
  for (const d of directives) if ((d.arguments ?? []).every((a) => isKnown(a, kept))) definitions.push(d);
  return printSchema(buildASTSchema({ kind: Kind.DOCUMENT, definitions }));
}

function isKnown(node: InputValueDefinitionNode | FieldDefinitionNode, kept: Set<string>): boolean {
  const name = namedType(node.type);
  return BUILT_IN_SCALARS.has(name) || kept.has(name);
}

/** The types reachable from the roots through the open fields (objects and interfaces with none are not). */
function reachable(byName: Map<string, Definition>, open: Map<string, FieldDefinitionNode[]>): Set<string> {
  const seen = new Set<string>();
  const queue = ROOTS.filter((r) => open.get(r)?.length);
  const visit = (name: string) => {
    if (seen.has(name) || BUILT_IN_SCALARS.has(name)) return;
    const def = byName.get(name);
    if (!def) return;
    if ((def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION) && !open.get(name)?.length) return;
    queue.push(name);
  };
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const def = byName.get(name)!;
    switch (def.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION:
        for (const field of open.get(name) ?? []) {
          visit(namedType(field.type));
          for (const arg of field.arguments ?? []) visit(namedType(arg.type));
        }
        for (const i of def.interfaces ?? []) visit(i.name.value);
        if (def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
          // an interface reaches the objects implementing it that the contract keeps
          for (const [other, otherDef] of byName) {
            if (otherDef.kind === Kind.OBJECT_TYPE_DEFINITION && otherDef.interfaces?.some((i: NamedTypeNode) => i.name.value === name)) visit(other);
          }
        }
        break;
      case Kind.UNION_TYPE_DEFINITION:
        for (const t of def.types ?? []) visit(t.name.value);
        break;
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        for (const field of def.fields ?? []) visit(namedType(field.type));
        break;
    }
  }
  return seen;
}

/** The partner contract of a supergraph, as SDL: what `npm run compose` writes beside it, and what the gateway validates partners against. */
export function partnerContractSdl(supergraphSdl: string, apiSchema: GraphQLSchema): string {
  return contractSdl(supergraphSdl, apiSchema, PARTNER_TAG);
}

const contracts = new WeakMap<GraphQLSchema, GraphQLSchema>();

/** The partner contract for an API schema the gateway loaded (once per schema), from the supergraph SDL it came from. */
export function partnerContractFor(apiSchema: GraphQLSchema, supergraphSdl: string): GraphQLSchema {
  let contract = contracts.get(apiSchema);
  if (!contract) {
    contract = buildSchema(partnerContractSdl(supergraphSdl, apiSchema));
    contracts.set(apiSchema, contract);
  }
  return contract;
}
