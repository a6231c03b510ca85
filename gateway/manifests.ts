/**
 * Trusted documents: reading persisted-query manifests (Apollo's format, or a plain
 * `{ id: body }` map), checking each operation against the schema once, and the
 * normalized form safelisting compares.
 */
import { createHash } from 'node:crypto';
import type { SecurityConfig } from './config.ts';
import { estimateCost, readCostModel, type CostModel } from './analysis/cost.ts';
import { checkLength, checkShape, checkTokens, shapeLimits, type LimitsOptions } from './analysis/limits.ts';
import {
  GraphQLError,
  Kind,
  parse,
  print,
  validate,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

/** One operation of Apollo's persisted-query manifest format. */
export interface ManifestOperation {
  /** SHA-256 (hex) of `body`. */
  id: string;
  body: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  clientName?: string;
}

/** Apollo's manifest, plus the client and app version Plaza counts uses by. */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  /** The app the operations belong to (Plaza extension; per-operation `clientName` also works). */
  client?: string;
  /** The app's version that ships these operations (Plaza extension). */
  appVersion?: string;
  operations: ManifestOperation[];
}

/** A registered operation: checked once, kept parsed. */
export interface RegisteredOperation {
  id: string;
  name: string;
  type: ManifestOperation['type'];
  body: string;
  document: DocumentNode;
  /** Key of its normalized text (whitespace, comments and definition order do not matter). */
  normalizedId: string;
}

/** Limits an operation must stay within to be registered: the gateway's own (see analysis/limits.ts, analysis/cost.ts). */
export interface OperationLimits {
  /** Depth, alias, root-field, token, length, selection and repeated-field limits. */
  shape: Required<LimitsOptions>;
  /** @cost and @listSize of the supergraph. */
  costModel: CostModel;
  /** Largest estimated cost of an operation, for clients without a budget of their own. */
  maxCost: number;
  /** Budgets of named clients. */
  budgets: Record<string, number>;
  /** Assumed length of a list without a size argument or @listSize. */
  listSize: number;
}

/** Limits of a gateway configuration, for the supergraph SDL given. */
export function operationLimits(supergraphSdl: string, security: SecurityConfig): OperationLimits {
  return {
    shape: shapeLimits(security),
    costModel: readCostModel(supergraphSdl),
    maxCost: security.costBudget,
    budgets: security.costBudgets,
    listSize: security.costListSize,
  };
}

/** A problem with one operation of a manifest. */
export interface ManifestProblem {
  /** Operation name (or id when it has none). */
  operation: string;
  message: string;
}

export class InvalidManifestError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ManifestProblem[],
  ) {
    super(`${source}: ${problems.length} problem(s)\n${problems.map((p) => `- operation "${p.operation}": ${p.message}`).join('\n')}`);
    this.name = 'InvalidManifestError';
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const ID_PATTERN = /^[a-f0-9]{64}$/;

/** Sorts definitions by kind and name so their order does not change the text. */
function definitionSortKey(definition: DefinitionNode): string {
  const name = 'name' in definition && definition.name ? definition.name.value : '';
  return `${definition.kind}:${name}`;
}

/** The text safelisting compares: printed canonically, definitions in a fixed order. */
export function normalizedText(document: DocumentNode): string {
  const definitions = [...document.definitions].sort((a, b) => definitionSortKey(a).localeCompare(definitionSortKey(b)));
  return print({ ...document, definitions });
}

export function normalizedId(document: DocumentNode): string {
  return sha256(normalizedText(document));
}

/** The one operation definition of a document, or undefined if there is not exactly one. */
function onlyOperation(document: DocumentNode): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operations.length === 1 ? operations[0] : undefined;
}

/**
 * Checks one operation against the schema and limits: it parses, has exactly one
 * operation, validates (fields, arguments, variables), and stays within depth and cost.
 */
export function checkOperation(schema: GraphQLSchema, body: string, limits: OperationLimits, client?: string): { document?: DocumentNode; problems: string[] } {
  let document: DocumentNode;
  try {
    document = parse(body);
  } catch (error) {
    return { problems: [`does not parse: ${(error as GraphQLError).message}`] };
  }
  const problems = validate(schema, document).map((e) => e.message);
  const operation = onlyOperation(document);
  if (!operation) problems.push('must hold exactly one operation');
  if (problems.length || !operation) return { problems };
  // the document is parsed already: only its length and token count need the text
  const shape = checkLength(body, limits.shape) ?? checkTokens(body, limits.shape) ?? checkShape(document, operation.name?.value, limits.shape);
  if (shape) problems.push(`${shape.code}: ${shape.message}`);
  const cost = estimateCost(schema, limits.costModel, document, operation, undefined, limits.listSize);
  const budget = (client !== undefined ? limits.budgets[client] : undefined) ?? limits.maxCost;
  if (cost > budget) problems.push(`COST_ESTIMATED_TOO_EXPENSIVE: estimated cost ${cost} is over the budget of ${budget}`);
  return { document, problems };
}

/** Reads manifest JSON (Apollo's format or a plain `{ id: body }` map) into operations, checking shape and ids. */
export function readManifest(source: string, json: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new InvalidManifestError(source, [{ operation: '*', message: `not valid JSON: ${(error as Error).message}` }]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidManifestError(source, [{ operation: '*', message: 'expected a JSON object' }]);
  }
  const object = raw as Record<string, unknown>;
  if (!('format' in object)) {
    // A plain map of id to body.
    const operations: ManifestOperation[] = [];
    const problems: ManifestProblem[] = [];
    for (const [id, body] of Object.entries(object)) {
      if (typeof body !== 'string') {
        problems.push({ operation: id, message: 'body must be a string' });
        continue;
      }
      let name = id;
      let type: ManifestOperation['type'] = 'query';
      try {
        const operation = onlyOperation(parse(body));
        name = operation?.name?.value ?? id;
        type = operation?.operation ?? 'query';
      } catch {
        // reported by checkOperation
      }
      operations.push({ id, body, name, type });
    }
    if (problems.length) throw new InvalidManifestError(source, problems);
    return checkIds(source, { format: MANIFEST_FORMAT, version: 1, operations });
  }
  if (object.format !== MANIFEST_FORMAT || object.version !== 1 || !Array.isArray(object.operations)) {
    throw new InvalidManifestError(source, [
      { operation: '*', message: `expected {"format":"${MANIFEST_FORMAT}","version":1,"operations":[…]}` },
    ]);
  }
  const problems: ManifestProblem[] = [];
  const operations: ManifestOperation[] = [];
  for (const [index, op] of (object.operations as unknown[]).entries()) {
    const o = (op ?? {}) as Record<string, unknown>;
    const label = typeof o.name === 'string' && o.name ? o.name : `#${index}`;
    if (typeof o.id !== 'string' || typeof o.body !== 'string' || typeof o.name !== 'string') {
      problems.push({ operation: label, message: 'needs string fields id, body and name' });
      continue;
    }
    if (o.type !== 'query' && o.type !== 'mutation' && o.type !== 'subscription') {
      problems.push({ operation: label, message: 'type must be query, mutation or subscription' });
      continue;
    }
    operations.push({ id: o.id, body: o.body, name: o.name, type: o.type, ...(typeof o.clientName === 'string' ? { clientName: o.clientName } : {}) });
  }
  if (problems.length) throw new InvalidManifestError(source, problems);
  return checkIds(source, {
    format: MANIFEST_FORMAT,
    version: 1,
    ...(typeof object.client === 'string' ? { client: object.client } : {}),
    ...(typeof object.appVersion === 'string' ? { appVersion: object.appVersion } : {}),
    operations,
  });
}

function checkIds(source: string, manifest: Manifest): Manifest {
  const problems: ManifestProblem[] = [];
  for (const op of manifest.operations) {
    if (!ID_PATTERN.test(op.id)) problems.push({ operation: op.name, message: `id "${op.id}" is not a lower-case hex SHA-256` });
    else if (sha256(op.body) !== op.id) problems.push({ operation: op.name, message: `id ${op.id} is not the SHA-256 of its body (expected ${sha256(op.body)})` });
  }
  if (problems.length) throw new InvalidManifestError(source, problems);
  return manifest;
}

/** Checks every operation of a manifest; throws one error naming each bad operation and its problem. */
export function registerManifest(source: string, manifest: Manifest, schema: GraphQLSchema, limits: OperationLimits, client?: string): RegisteredOperation[] {
  const problems: ManifestProblem[] = [];
  const registered: RegisteredOperation[] = [];
  const names = new Set<string>();
  for (const op of manifest.operations) {
    const { document, problems: found } = checkOperation(schema, op.body, limits, client ?? op.clientName ?? manifest.client);
    if (names.has(op.name)) found.push('the name is used by another operation of the manifest');
    names.add(op.name);
    for (const message of found) problems.push({ operation: op.name, message });
    if (document && !found.length) registered.push({ id: op.id, name: op.name, type: op.type, body: op.body, document, normalizedId: normalizedId(document) });
  }
  if (problems.length) throw new InvalidManifestError(source, problems);
  return registered;
}

/** Builds a manifest from operation documents (each may hold several operations sharing fragments). */
export function manifestFromDocuments(files: { path: string; text: string }[], client: string, appVersion: string): Manifest {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: { op: OperationDefinitionNode; path: string }[] = [];
  const problems: ManifestProblem[] = [];
  for (const file of files) {
    let document: DocumentNode;
    try {
      document = parse(file.text);
    } catch (error) {
      problems.push({ operation: file.path, message: `does not parse: ${(error as GraphQLError).message}` });
      continue;
    }
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      else if (definition.kind === Kind.OPERATION_DEFINITION) {
        if (!definition.name) problems.push({ operation: file.path, message: 'every operation needs a name' });
        else operations.push({ op: definition, path: file.path });
      }
    }
  }
  if (problems.length) throw new InvalidManifestError('operations', problems);
  const result: ManifestOperation[] = operations.map(({ op }) => {
    const used = new Set<string>();
    const collect = (node: OperationDefinitionNode | FragmentDefinitionNode): void => {
      visit(node, {
        FragmentSpread(spread) {
          const name = spread.name.value;
          if (used.has(name)) return;
          used.add(name);
          const fragment = fragments.get(name);
          if (fragment) collect(fragment);
        },
      });
    };
    collect(op);
    const definitions: DefinitionNode[] = [op, ...[...used].sort().flatMap((n) => (fragments.has(n) ? [fragments.get(n)!] : []))];
    const body = print({ kind: Kind.DOCUMENT, definitions });
    return { id: sha256(body), body, name: op.name!.value, type: op.operation, clientName: client };
  });
  return { format: MANIFEST_FORMAT, version: 1, client, appVersion, operations: result.sort((a, b) => a.name.localeCompare(b.name)) };
}
