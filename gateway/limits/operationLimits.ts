import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type ASTNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { listSizesFor, type ListSize, type ListSizes } from './listSizes';

export type LimitCode =
  | 'MAX_DEPTH_EXCEEDED'
  | 'MAX_ALIASES_EXCEEDED'
  | 'MAX_ROOT_FIELDS_EXCEEDED'
  | 'MAX_COST_EXCEEDED'
  | 'MAX_TOKENS_EXCEEDED'
  | 'MAX_SUBSCRIPTIONS_EXCEEDED';

/** An operation over one of the gateway's limits: HTTP 400, with the limit and the actual value. */
export class LimitError extends GraphQLError {
  constructor(
    readonly code: LimitCode,
    message: string,
    readonly limit: number,
    readonly actual?: number,
    nodes?: readonly ASTNode[],
  ) {
    super(message, { nodes, extensions: { code, limit, actual, http: { status: 400 } } });
  }
}

export interface ShapeLimits {
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
}

export interface OperationShape {
  /** Deepest field nesting; `__schema`/`__type` subtrees count 0 (introspection is a fixed, known query). */
  depth: number;
  /** Aliased fields, each time a fragment is spread. */
  aliases: number;
  /** Fields selected at the root, fragments flattened. */
  rootFields: number;
}

type FragmentLookup = (name: string) => FragmentDefinitionNode | undefined;

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);
const NOTHING: OperationShape = { depth: 0, aliases: 0, rootFields: 0 };

/**
 * Depth, aliases and root fields of one operation, following named and inline
 * fragments as if they were written out. Each fragment is measured once
 * (memoised), so fragments spreading each other cannot make this walk
 * exponential; a fragment already being walked counts as empty, so a cycle
 * (which validation reports anyway) cannot loop.
 */
export function measureOperation(operation: OperationDefinitionNode, fragment: FragmentLookup): OperationShape {
  const memo = new Map<string, OperationShape>();
  const walking = new Set<string>();

  const spread = (name: string): OperationShape => {
    const known = memo.get(name);
    if (known) return known;
    const definition = fragment(name);
    if (!definition || walking.has(name)) return NOTHING;
    walking.add(name);
    const shape = walk(definition.selectionSet);
    walking.delete(name);
    memo.set(name, shape);
    return shape;
  };

  const walk = (set: SelectionSetNode): OperationShape => {
    const total = { depth: 0, aliases: 0, rootFields: 0 };
    for (const selection of set.selections) {
      let inner: OperationShape;
      if (selection.kind === Kind.FIELD) {
        total.rootFields += 1;
        if (selection.alias) total.aliases += 1;
        if (INTROSPECTION_ROOTS.has(selection.name.value)) continue;
        inner = selection.selectionSet ? walk(selection.selectionSet) : NOTHING;
        total.depth = Math.max(total.depth, 1 + inner.depth);
        total.aliases += inner.aliases;
        continue;
      }
      inner = selection.kind === Kind.INLINE_FRAGMENT ? walk(selection.selectionSet) : spread(selection.name.value);
      total.depth = Math.max(total.depth, inner.depth);
      total.aliases += inner.aliases;
      total.rootFields += inner.rootFields;
    }
    return total;
  };

  return walk(operation.selectionSet);
}

/**
 * Depth, alias and root-field limits as one validation rule: Apollo runs it
 * with graphql's own rules, before a query plan is made or a subgraph called.
 */
export function operationShapeRule(limits: ShapeLimits): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const shape = measureOperation(node, (name) => context.getFragment(name) ?? undefined);
      const over = (code: LimitCode, what: string, limit: number, actual: number) =>
        context.reportError(
          new LimitError(code, `The ${what} is ${actual}, over the limit of ${limit}`, limit, actual, [node]),
        );
      if (shape.depth > limits.maxDepth) over('MAX_DEPTH_EXCEEDED', 'query depth', limits.maxDepth, shape.depth);
      if (shape.aliases > limits.maxAliases)
        over('MAX_ALIASES_EXCEEDED', 'number of aliases', limits.maxAliases, shape.aliases);
      if (shape.rootFields > limits.maxRootFields)
        over('MAX_ROOT_FIELDS_EXCEEDED', 'number of root fields', limits.maxRootFields, shape.rootFields);
    },
  });
}

/** `first` when neither the operation nor the schema gives a value: the subgraphs' largest page (MAX_PAGE_SIZE). */
export const WORST_CASE_PAGE = 100;

/**
 * What an operation costs: every field 1, and every list multiplies its
 * subtree by its size, so nested lists multiply. A paged field (its declared
 * `@listSize` slicing arguments, else a `first` argument) multiplies by
 * `first`: the literal, else the variable's value in this request, else the
 * variable's default, else the argument's schema default, else
 * WORST_CASE_PAGE. It runs once variables are known (see limitsPlugin.ts), so
 * `orders(first: $n)` costs what this request asks for, not a guess. The page
 * already counts its connection's `edges` (its `sizedFields`). Any other list
 * (`items`, `history`) multiplies by the `@listSize(assumedSize)` its subgraph
 * declared (listSizes.ts), else by the fallback DEFAULT_LIST_SIZE; the lists of
 * introspection count once, as the gateway answers them from the schema in
 * memory. Fragments are followed, each measured once per place it can be
 * sized in; a cycle counts as nothing.
 */
export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> = {},
  sizes: ListSizes = listSizesFor(schema),
): number {
  const memo = new Map<string, number>();
  const walking = new Set<string>();

  const argumentValue = (field: FieldNode, definition: GraphQLField<unknown, unknown>, name: string): number => {
    const arg = field.arguments?.find((a) => a.name.value === name);
    let value: unknown;
    if (arg?.value.kind === Kind.INT) value = Number(arg.value.value);
    else if (arg?.value.kind === Kind.VARIABLE) {
      const variable = arg.value.name.value;
      value = variables[variable];
      if (value === undefined) {
        const declared = operation.variableDefinitions?.find((v) => v.variable.name.value === variable)?.defaultValue;
        if (declared?.kind === Kind.INT) value = Number(declared.value);
      }
    }
    if (typeof value !== 'number') {
      const argument = definition.args.find((a) => a.name === name);
      value = typeof argument?.defaultValue === 'number' ? argument.defaultValue : WORST_CASE_PAGE;
    }
    // first: 0 still asks for pageInfo and totalCount once.
    return Math.max(1, value as number);
  };

  /** How many times the field's subtree is resolved, per time the field itself is. */
  const multiplier = (
    field: FieldNode,
    definition: GraphQLField<unknown, unknown> | undefined,
    parent: GraphQLNamedType | undefined,
    declared: ListSize | undefined,
    sizedByParent: readonly string[] | undefined,
  ): number => {
    if (!definition || !parent) return 1;
    const slicing = declared?.slicingArguments ?? (definition.args.some((a) => a.name === 'first') ? ['first'] : []);
    if (slicing.length > 0) return Math.max(...slicing.map((name) => argumentValue(field, definition, name)));
    if (!isListType(getNullableType(definition.type))) return 1;
    if (sizedByParent?.includes(field.name.value)) return 1;
    if (declared?.assumedSize !== undefined) return declared.assumedSize;
    return parent.name.startsWith('__') ? 1 : sizes.fallback;
  };

  const walk = (
    set: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
    sizedByParent: readonly string[] | undefined,
  ): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const definition = fieldDefinition(schema, parent, selection.name.value);
        if (!selection.selectionSet) {
          cost += 1;
          continue;
        }
        const child = definition ? getNamedType(definition.type) : undefined;
        const declared = parent && sizes.declared.get(`${parent.name}.${selection.name.value}`);
        const times = multiplier(selection, definition, parent, declared, sizedByParent);
        cost += 1 + times * walk(selection.selectionSet, child, declared?.sizedFields);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        cost += walk(selection.selectionSet, condition ?? undefined, sizedByParent);
      } else {
        cost += spread(selection.name.value, sizedByParent);
      }
    }
    return cost;
  };

  const spread = (name: string, sizedByParent: readonly string[] | undefined): number => {
    // A fragment's cost depends on which of its lists the field it is spread in sizes.
    const key = `${name}:${sizedByParent?.join(',') ?? ''}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const definition = fragments[name];
    if (!definition || walking.has(name)) return 0;
    walking.add(name);
    const type = schema.getType(definition.typeCondition.name.value) ?? undefined;
    const cost = walk(definition.selectionSet, type, sizedByParent);
    walking.delete(name);
    memo.set(key, cost);
    return cost;
  };

  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  return walk(operation.selectionSet, root ?? undefined, undefined);
}

function fieldDefinition(
  schema: GraphQLSchema,
  parent: GraphQLNamedType | undefined,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (name === '__typename') return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === '__schema') return SchemaMetaFieldDef;
    if (name === '__type') return TypeMetaFieldDef;
  }
  return parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
}
