// Calculated query cost, following Shopify's documented rules
// (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits):
//   scalar / enum: 0, object: 1, connection: 2 + first|last x (cost of one node),
//   interface / union: the maximum of the possible selections, mutation: 10.
// The requested cost uses the page sizes asked for; the actual cost uses what was returned.

import {
  getArgumentValues,
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

export const MUTATION_COST = 10;
export const SINGLE_QUERY_MAX_COST = 1000;

interface Ctx {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

function included(node: { directives?: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: unknown }[] }[] }, vars: Record<string, unknown>): boolean {
  for (const d of node.directives ?? []) {
    if (d.name.value !== "skip" && d.name.value !== "include") continue;
    const arg = d.arguments?.find((a) => a.name.value === "if");
    if (!arg) continue;
    const v = arg.value as { kind: string; value?: boolean; name?: { value: string } };
    const val = v.kind === Kind.VARIABLE ? Boolean(vars[v.name?.value ?? ""]) : Boolean(v.value);
    if (d.name.value === "skip" && val) return false;
    if (d.name.value === "include" && !val) return false;
  }
  return true;
}

/** Fields selected on `type`, following fragments whose type condition applies. */
export function collectFields(ctx: Ctx, type: GraphQLObjectType, set: SelectionSetNode, out: FieldNode[] = []): FieldNode[] {
  for (const sel of set.selections) {
    if (!included(sel, ctx.variables)) continue;
    if (sel.kind === Kind.FIELD) out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (!sel.typeCondition || applies(ctx, sel.typeCondition.name.value, type)) collectFields(ctx, type, sel.selectionSet, out);
    } else {
      const frag = ctx.fragments[sel.name.value];
      if (frag && applies(ctx, frag.typeCondition.name.value, type)) collectFields(ctx, type, frag.selectionSet, out);
    }
  }
  return out;
}

function applies(ctx: Ctx, condition: string, type: GraphQLObjectType): boolean {
  if (condition === type.name) return true;
  const cond = ctx.schema.getType(condition);
  return !!cond && isAbstractType(cond) && ctx.schema.isSubType(cond, type);
}

function isConnection(t: GraphQLCompositeType): t is GraphQLObjectType {
  return isObjectType(t) && t.name.endsWith("Connection") && "pageInfo" in t.getFields();
}

type Data = Record<string, unknown> | null | undefined;

function selectionCost(ctx: Ctx, type: GraphQLCompositeType, set: SelectionSetNode, data: Data, actual: boolean): number {
  const types: readonly GraphQLObjectType[] = isAbstractType(type) ? ctx.schema.getPossibleTypes(type) : [type as GraphQLObjectType];
  let best = 0;
  for (const t of types) {
    let sum = 0;
    for (const f of collectFields(ctx, t, set)) sum += fieldCost(ctx, t, f, data, actual);
    best = Math.max(best, sum);
  }
  return best;
}

function fieldCost(ctx: Ctx, parent: GraphQLObjectType, node: FieldNode, data: Data, actual: boolean): number {
  const name = node.name.value;
  if (name.startsWith("__")) return 0;
  const def: GraphQLField<unknown, unknown> | undefined = parent.getFields()[name];
  if (!def) return 0;
  const named = getNamedType(def.type);
  if (isLeafType(named)) return 0;
  const key = node.alias?.value ?? name;
  const value = data ? (data[key] as unknown) : undefined;
  const composite = named as GraphQLCompositeType;
  if (isConnection(composite)) return connectionCost(ctx, composite, def, node, value as Data, actual);
  const inner = isNonNullType(def.type) ? def.type.ofType : def.type;
  if (isListType(inner)) {
    let n = 1;
    if (actual) n = Array.isArray(value) ? value.length : 0;
    else {
      const args = safeArgs(def, node, ctx.variables);
      const ids = args.ids;
      if (Array.isArray(ids)) n = ids.length;
    }
    if (!actual) return n * (1 + (node.selectionSet ? selectionCost(ctx, composite, node.selectionSet, undefined, false) : 0));
    let sum = 0;
    for (const item of (value as unknown[]) ?? []) sum += 1 + (node.selectionSet && item ? selectionCost(ctx, composite, node.selectionSet, item as Data, true) : 0);
    return sum;
  }
  if (actual && (value === null || value === undefined)) return 1;
  return 1 + (node.selectionSet ? selectionCost(ctx, composite, node.selectionSet, value as Data, actual) : 0);
}

function safeArgs(def: GraphQLField<unknown, unknown>, node: FieldNode, vars: Record<string, unknown>): Record<string, unknown> {
  try {
    return getArgumentValues(def, node, vars);
  } catch {
    return {};
  }
}

function connectionCost(ctx: Ctx, conn: GraphQLObjectType, def: GraphQLField<unknown, unknown>, node: FieldNode, value: Data, actual: boolean): number {
  const nodesField = conn.getFields().nodes;
  const nodeType = nodesField ? (getNamedType(nodesField.type) as GraphQLCompositeType) : null;
  if (!nodeType || !node.selectionSet) return 2;
  // Selections made on one node, via `edges { node { ... } }` or `nodes { ... }`.
  const sets: SelectionSetNode[] = [];
  const edgeType = getNamedType(conn.getFields().edges?.type) as GraphQLObjectType | undefined;
  for (const f of collectFields(ctx, conn, node.selectionSet)) {
    if (f.name.value === "nodes" && f.selectionSet) sets.push(f.selectionSet);
    if (f.name.value === "edges" && f.selectionSet && edgeType) {
      for (const e of collectFields(ctx, edgeType, f.selectionSet)) if (e.name.value === "node" && e.selectionSet) sets.push(e.selectionSet);
    }
  }
  const perNode = (d: Data) => {
    let best = 0;
    for (const s of sets) best = Math.max(best, selectionCost(ctx, nodeType, s, d, actual));
    return 1 + best;
  };
  if (!actual) {
    const args = safeArgs(def, node, ctx.variables);
    const n = Number(args.first ?? args.last ?? 0) || 0;
    return 2 + n * perNode(undefined);
  }
  if (!value) return 2;
  const rows: Data[] = [];
  const nodes = (value as Record<string, unknown>).nodes;
  const edges = (value as Record<string, unknown>).edges;
  if (Array.isArray(nodes)) for (const x of nodes) rows.push(x as Data);
  if (Array.isArray(edges) && rows.length === 0) for (const e of edges) rows.push(((e as Record<string, unknown>)?.node ?? null) as Data);
  let sum = 2;
  for (const r of rows) sum += perNode(r);
  return sum;
}

export function getOperation(doc: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return ops.find((o) => o.name?.value === operationName);
  return ops.length === 1 ? ops[0] : undefined;
}

/** Requested cost (data undefined) or actual cost (data = the execution result's data). */
export function queryCost(
  schema: GraphQLSchema,
  doc: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  data?: Record<string, unknown> | null,
): number {
  const op = getOperation(doc, operationName);
  if (!op) return 0;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const ctx: Ctx = { schema, fragments, variables };
  if (op.operation === "mutation") {
    const root = schema.getMutationType();
    if (!root) return 0;
    return collectFields(ctx, root, op.selectionSet).filter((f) => !f.name.value.startsWith("__")).length * MUTATION_COST;
  }
  const root = schema.getQueryType();
  if (!root) return 0;
  const actual = data !== undefined;
  return selectionCost(ctx, root, op.selectionSet, actual ? (data ?? null) : undefined, actual);
}
