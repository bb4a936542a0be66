// Bulk query operations (bulkOperationRunQuery / currentBulkOperation / bulkOperation).
// https://shopify.dev/docs/apps/build/apis/graphql-admin/bulk-operations/queries
//
// The query is validated against the schema, then run in the background over the whole store by a
// small projection executor (much faster than one GraphQL execution per record) that writes JSONL:
// one line per node, nested connection children on their own lines carrying `__parentId`.

import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  getArgumentValues,
  getNamedType,
  type GraphQLError,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";
import { collectFields, getOperation } from "./cost.js";
import { BULK_ROOTS, bulkRoot, type BulkApi, type BulkOperationView, type EmulatorContext } from "./schema.js";
import { translateGraphQLError } from "./errors.js";
import { gid, nowSec } from "./util.js";

const ACTIVE = new Set(["CREATED", "RUNNING", "CANCELING"]);
const MAX_CONNECTIONS = 5;
const MAX_DEPTH = 2;

interface Op extends BulkOperationView {
  file: string;
  cancelRequested: boolean;
  done: Promise<void>;
}

type UserErr = { field: string[] | null; message: string; code: string | null };

function isConnectionType(t: unknown): t is GraphQLObjectType {
  return isObjectType(t) && t.name.endsWith("Connection") && "pageInfo" in t.getFields();
}

export interface BulkManagerOptions {
  schema: GraphQLSchema;
  /** Concurrent running query operations per shop; default depends on the API version (see concurrencyFor). */
  concurrency?: number;
  /** Records per batch between two yields to the event loop. */
  batchSize?: number;
}

/** Shopify: from API version 2026-01 an app may run five bulk query operations at once per shop, one before. */
export function concurrencyFor(apiVersion: string): number {
  return apiVersion === "unstable" || apiVersion >= "2026-01" ? 5 : 1;
}

export class BulkManager implements BulkApi {
  private ops: Op[] = [];
  private dir: string;
  private pausedGate: { promise: Promise<void>; resolve: () => void } | null = null;
  private nextId = 4_039_184_154_813;

  constructor(private readonly opts: BulkManagerOptions) {
    this.dir = mkdtempSync(join(tmpdir(), "shopify-emulator-bulk-"));
  }

  get all(): readonly BulkOperationView[] {
    return this.ops;
  }

  private view(op: Op): BulkOperationView {
    return op;
  }

  current(type: "QUERY" | "MUTATION"): BulkOperationView | null {
    for (let k = this.ops.length - 1; k >= 0; k--) {
      const op = this.ops[k];
      if (op && op.type === type) return this.view(op);
    }
    return null;
  }

  get(id: string): BulkOperationView | null {
    const op = this.ops.find((o) => o.id === id);
    return op ? this.view(op) : null;
  }

  /** Path of the JSONL result for `/bulk/{numericId}.jsonl`, when complete (or failed with partial data). */
  fileFor(numericId: string): string | null {
    const op = this.ops.find((o) => o.id === gid("BulkOperation", numericId));
    if (!op || !(op.url || op.partialDataUrl)) return null;
    return op.file;
  }

  openFile(numericId: string): NodeJS.ReadableStream | null {
    const f = this.fileFor(numericId);
    return f ? createReadStream(f) : null;
  }

  /** While paused, operations stay CREATED (or RUNNING) and do no work: lets tests observe in-progress states. */
  setPaused(paused: boolean): void {
    if (paused && !this.pausedGate) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.pausedGate = { promise, resolve };
    } else if (!paused && this.pausedGate) {
      this.pausedGate.resolve();
      this.pausedGate = null;
    }
  }

  get paused(): boolean {
    return this.pausedGate !== null;
  }

  /** Wakes paused operations so a cancelled one can stop (others wait again). */
  private kick(): void {
    if (!this.pausedGate) return;
    this.pausedGate.resolve();
    this.pausedGate = null;
    this.setPaused(true);
  }

  private async gate(op: Op): Promise<void> {
    while (this.pausedGate && !op.cancelRequested) await this.pausedGate.promise;
  }

  /** Asks every running operation to stop (they end as CANCELED). */
  abortAll(): void {
    for (const op of this.ops) if (ACTIVE.has(op.status)) op.cancelRequested = true;
    this.setPaused(false);
  }

  async idle(): Promise<void> {
    await Promise.all(this.ops.map((o) => o.done));
  }

  cancel(id: string): { bulkOperation: BulkOperationView | null; userErrors: Array<{ field: string[] | null; message: string }> } {
    const op = this.ops.find((o) => o.id === id);
    if (!op) return { bulkOperation: null, userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }] };
    if (!ACTIVE.has(op.status)) {
      return { bulkOperation: this.view(op), userErrors: [{ field: null, message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` }] };
    }
    op.cancelRequested = true;
    op.status = "CANCELING";
    this.kick();
    return { bulkOperation: this.view(op), userErrors: [] };
  }

  run(query: string, ctx: EmulatorContext): { bulkOperation: BulkOperationView | null; userErrors: UserErr[] } {
    const invalid = (message: string): { bulkOperation: null; userErrors: UserErr[] } => ({
      bulkOperation: null,
      userErrors: [{ field: ["query"], message, code: "INVALID" }],
    });
    let doc: DocumentNode;
    try {
      doc = parse(query);
    } catch (e) {
      return invalid(`Invalid bulk query: ${(e as GraphQLError).message.replace(/^Syntax Error: /, "syntax error, ")}`);
    }
    const errors = validate(this.opts.schema, doc);
    if (errors.length) return invalid(`Invalid bulk query: ${translateGraphQLError(errors[0] as GraphQLError).message}`);
    const op = getOperation(doc);
    if (!op || op.operation !== "query") return invalid("Invalid bulk query: bulk queries must be a single query operation");
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    const cctx = { schema: this.opts.schema, fragments, variables: {} };
    const queryType = this.opts.schema.getQueryType() as GraphQLObjectType;
    const roots = collectFields(cctx, queryType, op.selectionSet).filter((f) => !f.name.value.startsWith("__"));
    // Connection count and nesting depth.
    let connections = 0;
    let depthError = false;
    const walk = (type: GraphQLObjectType, set: SelectionSetNode, depth: number) => {
      for (const f of collectFields(cctx, type, set)) {
        const def = type.getFields()[f.name.value];
        if (!def || !f.selectionSet) continue;
        const named = getNamedType(def.type);
        if (isConnectionType(named)) {
          connections++;
          if (depth + 1 > MAX_DEPTH) depthError = true;
          for (const s of nodeSelections(cctx, named, f.selectionSet)) walk(nodeTypeOf(named), s, depth + 1);
        } else if (isObjectType(named)) {
          walk(named, f.selectionSet, depth);
        } else if (isAbstractType(named)) {
          for (const t of this.opts.schema.getPossibleTypes(named)) walk(t, f.selectionSet, depth);
        }
      }
    };
    walk(queryType, op.selectionSet, 0);
    if (connections === 0) return invalid("Bulk queries must contain at least one connection.");
    if (roots.length !== 1) return invalid("Bulk queries must contain exactly one top-level field.");
    const root = roots[0] as FieldNode;
    if (root.name.value === "node" || root.name.value === "nodes") return invalid(`The ${root.name.value} field is not supported in bulk queries.`);
    if (connections > MAX_CONNECTIONS) return invalid(`Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`);
    if (depthError) return invalid(`Bulk queries cannot contain connections with a nesting depth greater than ${MAX_DEPTH}.`);
    if (!BULK_ROOTS.has(root.name.value)) {
      return invalid(`The emulator only runs bulk queries rooted at ${[...BULK_ROOTS].join(" or ")} (got ${root.name.value}).`);
    }

    const limit = this.opts.concurrency ?? concurrencyFor(ctx.apiVersion);
    const running = this.ops.filter((o) => o.type === "QUERY" && ACTIVE.has(o.status));
    if (running.length >= limit) {
      const last = running[running.length - 1] as Op;
      return {
        bulkOperation: null,
        userErrors: [{ field: null, message: `A bulk query operation for this app and shop is already in progress: ${last.id}.`, code: "OPERATION_IN_PROGRESS" }],
      };
    }

    const numeric = String(this.nextId++);
    const op2: Op = {
      id: gid("BulkOperation", numeric),
      status: "CREATED",
      type: "QUERY",
      errorCode: null,
      createdAt: nowSec(),
      completedAt: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: null,
      url: null,
      partialDataUrl: null,
      query,
      file: join(this.dir, `${numeric}.jsonl`),
      cancelRequested: false,
      done: Promise.resolve(),
    };
    const fileUrl = `${ctx.baseUrl}/bulk/${numeric}.jsonl`;
    // The response shows the freshly created operation; the work starts on the next turn.
    const created = { ...op2 };
    this.ops.push(op2);
    op2.done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.execute(op2, doc, root, cctx, ctx, fileUrl));
    return { bulkOperation: created, userErrors: [] };
  }

  private async execute(
    op: Op,
    doc: DocumentNode,
    root: FieldNode,
    cctx: { schema: GraphQLSchema; fragments: Record<string, FragmentDefinitionNode>; variables: Record<string, unknown> },
    ctx: EmulatorContext,
    fileUrl: string,
  ): Promise<void> {
    await this.gate(op);
    if (op.cancelRequested) {
      op.status = "CANCELED";
      return;
    }
    op.status = "RUNNING";
    const out = createWriteStream(op.file);
    const exec = new Projector(this.opts.schema, cctx, ctx);
    const queryType = this.opts.schema.getQueryType() as GraphQLObjectType;
    const rootDef = queryType.getFields()[root.name.value];
    const conn = rootDef ? getNamedType(rootDef.type) : null;
    let failed: unknown = null;
    try {
      if (!rootDef || !isConnectionType(conn)) throw new Error("unsupported root");
      const args = getArgumentValues(rootDef, root, {});
      const plan = exec.compile(nodeTypeOf(conn), nodeSelections(cctx, conn, root.selectionSet as SelectionSetNode));
      const batch = this.opts.batchSize ?? 2000;
      let buf: string[] = [];
      let n = 0;
      for (const node of bulkRoot(ctx, root.name.value, args)) {
        exec.emit(plan, node, null, buf);
        op.rootObjectCount++;
        if (++n % batch === 0) {
          op.objectCount += buf.length;
          await write(out, buf.join(""));
          buf = [];
          await new Promise<void>((r) => setImmediate(r));
          await this.gate(op);
          if (op.cancelRequested) break;
        }
      }
      op.objectCount += buf.length;
      await write(out, buf.join(""));
    } catch (e) {
      failed = e;
    }
    await new Promise<void>((resolve) => out.end(resolve));
    const size = statSync(op.file).size;
    op.completedAt = nowSec();
    if (op.cancelRequested) {
      op.status = "CANCELED";
    } else if (failed) {
      op.status = "FAILED";
      op.errorCode = "INTERNAL_SERVER_ERROR";
      op.partialDataUrl = size > 0 ? fileUrl : null;
      op.completedAt = null;
    } else {
      op.status = "COMPLETED";
      op.fileSize = size;
      // Shopify returns a null url when the query matched nothing.
      op.url = size > 0 ? fileUrl : null;
    }
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function write(out: WriteStream, chunk: string): Promise<void> {
  if (!chunk) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const ok = out.write(chunk, (err) => (err ? reject(err) : undefined));
    if (ok) resolve();
    else out.once("drain", () => resolve());
  });
}

function nodeTypeOf(conn: GraphQLObjectType): GraphQLObjectType {
  const f = conn.getFields().nodes;
  return getNamedType(f?.type) as GraphQLObjectType;
}

/** Selection sets made on one node of a connection (`edges { node { ... } }` and/or `nodes { ... }`). */
function nodeSelections(
  cctx: { schema: GraphQLSchema; fragments: Record<string, FragmentDefinitionNode>; variables: Record<string, unknown> },
  conn: GraphQLObjectType,
  set: SelectionSetNode,
): SelectionSetNode[] {
  const out: SelectionSetNode[] = [];
  const edgeType = getNamedType(conn.getFields().edges?.type) as GraphQLObjectType;
  for (const f of collectFields(cctx, conn, set)) {
    if (f.name.value === "nodes" && f.selectionSet) out.push(f.selectionSet);
    if (f.name.value === "edges" && f.selectionSet) for (const e of collectFields(cctx, edgeType, f.selectionSet)) if (e.name.value === "node" && e.selectionSet) out.push(e.selectionSet);
  }
  return out;
}

type Src = Record<string, unknown> & { __typename?: string };
type Cctx = { schema: GraphQLSchema; fragments: Record<string, FragmentDefinitionNode>; variables: Record<string, unknown> };

/** What to do for one selected field, decided once per query instead of once per record. */
interface FieldPlan {
  key: string;
  name: string;
  kind: "typename" | "leaf" | "object" | "list" | "connection";
  args: Record<string, unknown>;
  typeName: string;
  /** object / list: plan of the selected sub-object, per concrete type name (lazily compiled). */
  sub: Map<string, FieldPlan[]>;
  subSet: SelectionSetNode | null;
  concrete: GraphQLObjectType | null;
  /** connection: node type and the selection sets made on one node. */
  nodeType: GraphQLObjectType | null;
  nodeSets: SelectionSetNode[];
  nodePlan: FieldPlan[] | null;
}

/** Projects resolver objects onto a selection set without going through graphql-js execution. */
class Projector {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly cctx: Cctx,
    private readonly ctx: EmulatorContext,
  ) {}

  compile(type: GraphQLObjectType, sets: SelectionSetNode[]): FieldPlan[] {
    const plan: FieldPlan[] = [];
    for (const set of sets) {
      for (const f of collectFields(this.cctx, type, set)) {
        const name = f.name.value;
        const key = f.alias?.value ?? name;
        const base: FieldPlan = {
          key,
          name,
          kind: "leaf",
          args: {},
          typeName: type.name,
          sub: new Map(),
          subSet: f.selectionSet ?? null,
          concrete: null,
          nodeType: null,
          nodeSets: [],
          nodePlan: null,
        };
        if (name === "__typename") {
          plan.push({ ...base, kind: "typename" });
          continue;
        }
        const def = type.getFields()[name];
        if (!def) continue;
        base.args = getArgumentValues(def, f, {});
        const named = getNamedType(def.type);
        if (isConnectionType(named)) {
          if (!f.selectionSet) continue;
          base.kind = "connection";
          base.nodeType = nodeTypeOf(named);
          base.nodeSets = nodeSelections(this.cctx, named, f.selectionSet);
          plan.push(base);
          continue;
        }
        if (isLeafType(named) || !f.selectionSet) {
          plan.push(base);
          continue;
        }
        const inner = isNonNullType(def.type) ? def.type.ofType : def.type;
        base.kind = isListType(inner) ? "list" : "object";
        base.concrete = isAbstractType(named) ? null : (named as GraphQLObjectType);
        plan.push(base);
      }
    }
    return plan;
  }

  private subPlan(f: FieldPlan, v: Src): FieldPlan[] {
    const typeName = f.concrete ? f.concrete.name : String(v.__typename);
    let p = f.sub.get(typeName);
    if (!p) {
      const t = f.concrete ?? (this.schema.getType(typeName) as GraphQLObjectType);
      p = this.compile(t, f.subSet ? [f.subSet] : []);
      f.sub.set(typeName, p);
    }
    return p;
  }

  /** Writes the node's line, then the lines of its nested connection children. */
  emit(plan: FieldPlan[], src: unknown, parentId: string | null, out: string[]): void {
    const children: string[] = [];
    const obj = this.object(plan, src as Src, children);
    if (parentId) obj.__parentId = parentId;
    out.push(`${JSON.stringify(obj)}\n`);
    for (const c of children) out.push(c);
  }

  private object(plan: FieldPlan[], src: Src, children: string[]): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    for (const f of plan) {
      switch (f.kind) {
        case "typename":
          obj[f.key] = f.typeName;
          break;
        case "leaf":
          obj[f.key] = this.call(src, f) ?? null;
          break;
        case "object": {
          const v = this.call(src, f) as Src | null | undefined;
          obj[f.key] = v === null || v === undefined ? null : this.object(this.subPlan(f, v), v, children);
          break;
        }
        case "list": {
          const v = this.call(src, f) as Src[] | null | undefined;
          if (!Array.isArray(v)) {
            obj[f.key] = null;
            break;
          }
          const arr: unknown[] = [];
          for (const item of v) arr.push(item === null || item === undefined ? null : this.object(this.subPlan(f, item), item, children));
          obj[f.key] = arr;
          break;
        }
        case "connection": {
          const bulkChildren = src.bulkChildren as ((field: string, args: Record<string, unknown>) => Iterable<unknown>) | undefined;
          if (!bulkChildren || !f.nodeType) break;
          f.nodePlan ??= this.compile(f.nodeType, f.nodeSets);
          const parentId = String(this.call(src, { name: "id", args: {} } as FieldPlan));
          for (const child of bulkChildren.call(src, f.name, f.args)) this.emit(f.nodePlan, child, parentId, children);
          break;
        }
      }
    }
    return obj;
  }

  private call(src: Src, f: FieldPlan): unknown {
    const v = src[f.name];
    return typeof v === "function" ? (v as (a: unknown, c: unknown) => unknown).call(src, f.args, this.ctx) : v;
  }
}
