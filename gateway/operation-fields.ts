/**
 * The schema coordinates an operation reads: every field as `Type.field` (on the type its
 * selection is made on), and with `withArguments` every argument given as `Type.field(arg:)`
 * and the name of every type it reads or sends.
 * Usage over time counts fields by them; `npm run schema -- check` matches changes to them.
 */
import { TypeInfo, visit, visitWithTypeInfo, getNamedType, type DocumentNode, type GraphQLSchema } from 'graphql';

const memo = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, readonly string[]>>();

/** The coordinates an operation reads, sorted; introspection and `__typename` left out. */
export function coordinatesOf(schema: GraphQLSchema, document: DocumentNode, withArguments = false): readonly string[] {
  const cached = withArguments ? undefined : memo.get(schema)?.get(document);
  if (cached) return cached;
  const found = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent || node.name.value.startsWith('__')) return;
        const coordinate = `${parent.name}.${node.name.value}`;
        found.add(coordinate);
        if (withArguments) {
          for (const arg of node.arguments ?? []) found.add(`${coordinate}(${arg.name.value}:)`);
          const type = typeInfo.getType();
          if (type) found.add(getNamedType(type).name);
        }
      },
      // with arguments: the input types an operation sends, through arguments and variables
      Argument() {
        const type = withArguments ? typeInfo.getInputType() : null;
        if (type) found.add(getNamedType(type).name);
      },
      VariableDefinition() {
        const type = withArguments ? typeInfo.getInputType() : null;
        if (type) found.add(getNamedType(type).name);
      },
    }),
  );
  const coordinates = [...found].sort();
  if (!withArguments) {
    let byDocument = memo.get(schema);
    if (!byDocument) memo.set(schema, (byDocument = new WeakMap()));
    byDocument.set(document, coordinates);
  }
  return coordinates;
}
