import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, Kind, visit, type ASTNode, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { AppError } from '../../platform/errors';

export interface OverlongString {
  /** The argument or input field it was given for, `$variable.field` for a variable's. */
  where: string;
  length: number;
}

/**
 * The first string longer than `max` in the document's literals or in the
 * values of the variables the operation declares (others are never sent on:
 * graphql coerces only declared ones). Each subgraph bounds its own arguments
 * tighter; this is the cheap guard that keeps a megabyte of text from being
 * planned, logged and sent to a subgraph at all.
 */
export function findOverlongString(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  max: number,
): OverlongString | undefined {
  let found: OverlongString | undefined;
  visit(document, {
    StringValue(node, _key, parent, _path, ancestors) {
      if (node.value.length <= max) return undefined;
      // graphql passes the parent apart from the ancestors above it.
      found = { where: nameOf(parent ? [...ancestors, parent] : ancestors), length: node.value.length };
      return BREAK;
    },
  });
  if (found) return found;
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    found = overlongValue(variables[name], `$${name}`, max);
    if (found) return found;
  }
  return undefined;
}

/** BAD_USER_INPUT (HTTP 400) naming the argument, its length and the limit. */
export function refuseOverlongStrings(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  max: number,
): void {
  const found = findOverlongString(document, operation, variables, max);
  if (!found) return;
  throw new AppError('BAD_USER_INPUT', `${found.where} is ${found.length} characters, over the limit of ${max}`, {
    field: found.where,
    limit: max,
    actual: found.length,
    http: { status: 400 },
  });
}

/** MAX_STRING_LENGTH at didResolveOperation: after parsing, before a query plan or a subgraph call. */
export function stringLengthPlugin(maxStringLength: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (operation) refuseOverlongStrings(document, operation, request.variables ?? {}, maxStringLength);
        },
      };
    },
  };
}

/** An explicit stack, not recursion: a variable's JSON may nest deeper than the call stack goes. */
function overlongValue(root: unknown, rootPath: string, max: number): OverlongString | undefined {
  const stack: [unknown, string][] = [[root, rootPath]];
  while (stack.length > 0) {
    const [value, where] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.length > max) return { where, length: value.length };
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push([item, `${where}[${i}]`]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) stack.push([item, `${where}.${key}`]);
    }
  }
  return undefined;
}

/** The nearest argument, input field or variable default a literal stands in. */
function nameOf(ancestors: readonly (ASTNode | readonly ASTNode[])[]): string {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const node = ancestors[i];
    if (Array.isArray(node)) continue;
    const named = node as ASTNode;
    if (named.kind === Kind.ARGUMENT || named.kind === Kind.OBJECT_FIELD) return named.name.value;
    if (named.kind === Kind.VARIABLE_DEFINITION) return `$${named.variable.name.value}`;
  }
  return 'a string';
}
