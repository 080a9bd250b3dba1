import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLSchema,
  type InterfaceTypeDefinitionNode,
  type InterfaceTypeExtensionNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
} from 'graphql';

/**
 * How long one list field gets, as the subgraph that owns it declared with
 * federation's `@listSize` (Federation 2.9 demand control), composed into the
 * supergraph: a fixed `assumedSize`, or `slicingArguments` (`first`) that size
 * it or, for a connection, its `sizedFields` (`edges`).
 */
export interface ListSize {
  assumedSize?: number;
  slicingArguments?: readonly string[];
  sizedFields?: readonly string[];
}

export interface ListSizes {
  /** By schema coordinate, `Order.items`. */
  declared: ReadonlyMap<string, ListSize>;
  /** A list with neither `first` nor a declared size: DEFAULT_LIST_SIZE. */
  fallback: number;
}

/** DEFAULT_LIST_SIZE's default: the largest page any subgraph serves (MAX_PAGE_SIZE). */
export const DEFAULT_LIST_SIZE = 100;

const COST_SPEC = /^https:\/\/specs\.apollo\.dev\/cost\/v\d+\.\d+$/;

/** The `@listSize` applications of a supergraph, whatever name its cost `@link` gives the directive. */
export function readListSizes(supergraphSdl: string, fallback: number): ListSizes {
  const document = parse(supergraphSdl);
  const name = listSizeDirectiveName(document);
  const declared = new Map<string, ListSize>();
  if (name) {
    for (const definition of document.definitions) {
      if (!hasFields(definition)) continue;
      for (const field of definition.fields ?? []) {
        const directive = field.directives?.find((d) => d.name.value === name);
        if (directive) declared.set(`${definition.name.value}.${field.name.value}`, listSizeOf(directive));
      }
    }
  }
  return { declared, fallback };
}

const remembered = new WeakMap<GraphQLSchema, ListSizes>();

/**
 * The API schema the gateway serves carries no directives: the sizes read
 * from its supergraph are kept beside it, per schema, so every path that
 * costs an operation against that schema (HTTP, subscriptions) uses them.
 */
export function rememberListSizes(apiSchema: GraphQLSchema, sizes: ListSizes): void {
  remembered.set(apiSchema, sizes);
}

/** What was remembered for this schema; for any other (a test's), nothing declared. */
export function listSizesFor(schema: GraphQLSchema): ListSizes {
  return remembered.get(schema) ?? { declared: new Map(), fallback: DEFAULT_LIST_SIZE };
}

function listSizeDirectiveName(document: DocumentNode): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      const url = argument(link, 'url');
      if (link.name.value !== 'link' || url?.kind !== Kind.STRING || !COST_SPEC.test(url.value)) continue;
      const imports = argument(link, 'import');
      for (const item of imports?.kind === Kind.LIST ? imports.values : []) {
        if (item.kind === Kind.STRING && item.value === '@listSize') return 'listSize';
        if (item.kind === Kind.OBJECT) {
          const field = (key: string) => item.fields.find((f) => f.name.value === key)?.value;
          const imported = field('name');
          const as = field('as');
          if (imported?.kind === Kind.STRING && imported.value === '@listSize') {
            return as?.kind === Kind.STRING ? as.value.replace(/^@/, '') : 'listSize';
          }
        }
      }
      const prefix = argument(link, 'as');
      return `${prefix?.kind === Kind.STRING ? prefix.value : 'cost'}__listSize`;
    }
  }
  return undefined;
}

function listSizeOf(directive: ConstDirectiveNode): ListSize {
  const assumed = argument(directive, 'assumedSize');
  const strings = (name: string) => {
    const value = argument(directive, name);
    return value?.kind === Kind.LIST
      ? value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []))
      : undefined;
  };
  return {
    assumedSize: assumed?.kind === Kind.INT ? Number(assumed.value) : undefined,
    slicingArguments: strings('slicingArguments'),
    sizedFields: strings('sizedFields'),
  };
}

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((a) => a.name.value === name)?.value;
}

function hasFields(
  definition: DefinitionNode,
): definition is
  | ObjectTypeDefinitionNode
  | ObjectTypeExtensionNode
  | InterfaceTypeDefinitionNode
  | InterfaceTypeExtensionNode {
  return (
    definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
    definition.kind === Kind.OBJECT_TYPE_EXTENSION ||
    definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
    definition.kind === Kind.INTERFACE_TYPE_EXTENSION
  );
}
