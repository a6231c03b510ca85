/**
 * Schema checks: what a proposed supergraph changes against the current one, classified
 * with graphql-js (`findBreakingChanges`, `findDangerousChanges`; additions are safe), and
 * for each breaking change the registered operations (published manifests) and the fields
 * and operations used recently (usage over time) it would break. Pure: the command
 * (schema/cli.ts) gathers the inputs.
 */
import { findBreakingChanges, findDangerousChanges, isInputObjectType, isInterfaceType, isObjectType, parse, validate, type GraphQLSchema } from 'graphql';
import { partnerContractFor } from '../gateway/contract.ts';
import { loadSupergraph } from '../gateway/engine/supergraph.ts';
import { readManifest } from '../gateway/manifests.ts';
import { coordinatesOf } from '../gateway/operation-fields.ts';
import { localApiSchema } from '../gateway/analysis/api-schema.ts';
import type { StoredManifest } from '../gateway/stores/types.ts';
import { splitOperationKey, type UsageTrail } from '../gateway/stores/usage-history.ts';

export type ChangeKind = 'breaking' | 'dangerous' | 'safe';

/** A registered operation, as a check names it. */
export interface OperationRef {
  client: string;
  appVersion: string;
  name: string;
  id: string;
}

/** Recent uses of one field or operation. */
export interface RecentUse {
  key: string;
  uses: number;
  lastSeen: string;
}

export interface SchemaChange {
  kind: ChangeKind;
  /** graphql-js's change type (FIELD_REMOVED, ARG_CHANGED_KIND…), or FIELD_ADDED / TYPE_ADDED. */
  type: string;
  description: string;
  /** `graph` for the whole API schema, `partner` for the partner contract (it breaks partners' operations only). */
  schema: 'graph' | 'partner';
  /** Types and fields (`Type.field`) the change is about. */
  subjects: string[];
  /** Registered operations using them (breaking changes only). */
  operations: OperationRef[];
  /** Fields and operations among them used inside the window (breaking changes only). */
  recentFields: RecentUse[];
  recentOperations: RecentUse[];
}

export interface SchemaCheckInput {
  /** The supergraph now (schema/supergraph.graphql as committed). */
  current: string;
  /** The supergraph the working tree's subgraphs compose into. */
  proposed: string;
  /** Every published manifest. */
  manifests: StoredManifest[];
  /** Clients held to the partner contract. */
  partners: ReadonlySet<string>;
  /** Recorded usage inside the window (field and operation trails), or null when none could be read. */
  usage: { fields: UsageTrail[]; operations: UsageTrail[] } | null;
  /** The window, in days (for the report). */
  days: number;
}

export interface SchemaCheckReport {
  changes: SchemaChange[];
  /** A breaking change breaks a registered operation or something used inside the window. */
  failed: boolean;
  days: number;
  usageRecorded: boolean;
  /** Registered operations that do not validate against the proposed schema (or contract) although no listed change names them. */
  invalidOperations: { operation: OperationRef; problem: string }[];
}

/** The types and fields a graphql-js change description names (its wording is stable in graphql 16). */
export function subjectsOf(description: string): string[] {
  const subjects = new Set<string>();
  for (const m of description.matchAll(/\b([_A-Za-z]\w*)\.([_A-Za-z]\w*)\b/g)) subjects.add(`${m[1]}.${m[2]}`);
  let m = /^([_A-Za-z]\w*) (was removed|changed from|was added)/.exec(description);
  if (m) subjects.add(m[1]);
  m = /(?:from|to) (?:enum|union) type ([_A-Za-z]\w*)/.exec(description);
  if (m) subjects.add(m[1]);
  m = /on input type ([_A-Za-z]\w*)/.exec(description);
  if (m) subjects.add(m[1]);
  m = /^([_A-Za-z]\w*) no longer implements interface ([_A-Za-z]\w*)/.exec(description);
  if (m) subjects.add(m[1]);
  return [...subjects];
}

/** Fields and types the proposed schema adds: safe changes. */
function additions(before: GraphQLSchema, after: GraphQLSchema): { type: string; description: string; subject: string }[] {
  const added: { type: string; description: string; subject: string }[] = [];
  const old = before.getTypeMap();
  for (const [name, type] of Object.entries(after.getTypeMap())) {
    if (name.startsWith('__')) continue;
    const was = old[name];
    if (!was) {
      added.push({ type: 'TYPE_ADDED', description: `${name} was added.`, subject: name });
      continue;
    }
    const hasFields = (t: unknown): t is { getFields(): Record<string, unknown> } => isObjectType(t) || isInterfaceType(t) || isInputObjectType(t);
    if (!hasFields(type) || !hasFields(was)) continue;
    const oldFields = was.getFields();
    for (const field of Object.keys(type.getFields())) {
      if (!(field in oldFields)) added.push({ type: 'FIELD_ADDED', description: `${name}.${field} was added.`, subject: `${name}.${field}` });
    }
  }
  return added;
}

function apiSchemaOf(sdl: string): GraphQLSchema {
  return localApiSchema(loadSupergraph(sdl).schema);
}

function usesIn(trail: UsageTrail): number {
  return Object.values(trail.days).reduce((a, b) => a + b, 0);
}

/** Classifies every change and finds what each breaking one breaks. */
export function checkSchema(input: SchemaCheckInput): SchemaCheckReport {
  const before = apiSchemaOf(input.current);
  const after = apiSchemaOf(input.proposed);
  const beforeContract = partnerContractFor(before, input.current);
  const afterContract = partnerContractFor(after, input.proposed);

  const registered = input.manifests.flatMap((m) => {
    let operations;
    try {
      operations = readManifest(`${m.client}@${m.appVersion}`, m.json).operations;
    } catch {
      return []; // a manifest that does not read is refused at load already (see /ready)
    }
    return operations.flatMap((op) => {
      let document;
      try {
        document = parse(op.body);
      } catch {
        return [];
      }
      const ref: OperationRef = { client: m.client, appVersion: m.appVersion, name: op.name, id: op.id };
      return [{ ref, document, coordinates: new Set(coordinatesOf(before, document, true)), partner: input.partners.has(m.client) }];
    });
  });

  const changes: SchemaChange[] = [];
  const add = (kind: ChangeKind, schema: SchemaChange['schema'], type: string, description: string) => {
    const subjects = subjectsOf(description);
    const change: SchemaChange = { kind, type, description, schema, subjects, operations: [], recentFields: [], recentOperations: [] };
    if (kind === 'breaking') {
      const affected = registered.filter((r) => (schema === 'graph' || r.partner) && subjects.some((s) => r.coordinates.has(s)));
      change.operations = affected.map((r) => r.ref);
      const ids = new Set(affected.map((r) => r.ref.id));
      change.recentFields = (input.usage?.fields ?? [])
        .filter((t) => usesIn(t) > 0 && subjects.some((s) => t.key === s || t.key.startsWith(`${s}.`)))
        .filter((t) => schema === 'graph')
        .map((t) => ({ key: t.key, uses: usesIn(t), lastSeen: t.lastSeen }));
      change.recentOperations = (input.usage?.operations ?? [])
        .filter((t) => usesIn(t) > 0 && ids.has(splitOperationKey(t.key)[2]))
        .map((t) => ({ key: t.key, uses: usesIn(t), lastSeen: t.lastSeen }));
    }
    changes.push(change);
  };
  for (const c of findBreakingChanges(before, after)) add('breaking', 'graph', c.type, c.description);
  for (const c of findDangerousChanges(before, after)) add('dangerous', 'graph', c.type, c.description);
  // what leaves the partner contract breaks partners, though the whole graph still has it
  const graphBreaks = new Set(changes.map((c) => c.description));
  for (const c of findBreakingChanges(beforeContract, afterContract)) if (!graphBreaks.has(c.description)) add('breaking', 'partner', c.type, c.description);
  for (const a of additions(before, after)) add('safe', 'graph', a.type, a.description);

  const named = new Set(changes.flatMap((c) => c.operations.map((o) => `${o.client}@${o.appVersion}/${o.id}`)));
  const invalidOperations = registered.flatMap((r) => {
    if (named.has(`${r.ref.client}@${r.ref.appVersion}/${r.ref.id}`)) return [];
    const errors = validate(r.partner ? afterContract : after, r.document);
    return errors.length ? [{ operation: r.ref, problem: errors[0].message }] : [];
  });
  const failed = invalidOperations.length > 0 || changes.some((c) => c.kind === 'breaking' && (c.operations.length || c.recentFields.length || c.recentOperations.length));
  return { changes, failed, days: input.days, usageRecorded: input.usage !== null, invalidOperations };
}

/** The report as people read it. */
export function formatReport(report: SchemaCheckReport): string {
  const lines: string[] = [];
  const count = (kind: ChangeKind) => report.changes.filter((c) => c.kind === kind).length;
  lines.push(`Schema check: ${count('breaking')} breaking, ${count('dangerous')} dangerous, ${count('safe')} safe change(s)`);
  lines.push(
    report.usageRecorded
      ? `Usage: fields and operations used in the last ${report.days} day(s)`
      : 'Usage: none read (set PLAZA_REDIS_URL, or PLAZA_PQ_BYPASS_SECRET with --gateway): only registered operations are checked',
  );
  for (const kind of ['breaking', 'dangerous', 'safe'] as const) {
    for (const c of report.changes.filter((x) => x.kind === kind)) {
      const where = c.schema === 'partner' ? ' [partner contract]' : '';
      lines.push(`${kind.toUpperCase().padEnd(9)} ${c.type}${where}: ${c.description}`);
      if (kind !== 'breaking') continue;
      for (const o of c.operations) lines.push(`  breaks operation ${o.name} of ${o.client}@${o.appVersion} (${o.id.slice(0, 12)}…)`);
      for (const f of c.recentFields) lines.push(`  breaks field ${f.key}: ${f.uses} use(s) in the last ${report.days} day(s), last seen ${f.lastSeen}`);
      for (const o of c.recentOperations) lines.push(`  breaks operation ${o.key}: ${o.uses} use(s) in the last ${report.days} day(s), last seen ${o.lastSeen}`);
      if (!c.operations.length && !c.recentFields.length && !c.recentOperations.length) {
        lines.push(`  safe to make: no registered operation uses it${report.usageRecorded ? `, and nothing used it in the last ${report.days} day(s)` : ''}`);
      }
    }
  }
  for (const i of report.invalidOperations) lines.push(`INVALID   operation ${i.operation.name} of ${i.operation.client}@${i.operation.appVersion}: ${i.problem}`);
  lines.push(report.failed ? 'Result: FAIL, the change breaks what clients use' : 'Result: PASS');
  return lines.join('\n');
}
