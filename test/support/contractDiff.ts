import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

type AnyField = GraphQLField<unknown, unknown> | GraphQLInputField;

function fieldsOf(type: GraphQLNamedType): Record<string, AnyField> | undefined {
  return isObjectType(type) || isInterfaceType(type) || isInputObjectType(type) ? type.getFields() : undefined;
}

function argsOf(field: AnyField): readonly GraphQLArgument[] {
  return 'args' in field ? field.args : [];
}

/**
 * What the contract says that the API lacks or types differently, one line
 * each. The API may add; it may not remove, rename or retype.
 */
export function contractViolations(contract: GraphQLSchema, api: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const type of Object.values(contract.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    const ours = api.getType(type.name);
    if (!ours) {
      problems.push(`type ${type.name} is missing`);
      continue;
    }
    if (isEnumType(type)) {
      if (!isEnumType(ours)) problems.push(`${type.name} is no longer an enum`);
      else
        for (const v of type.getValues())
          if (!ours.getValue(v.name)) problems.push(`${type.name}.${v.name} is missing`);
      continue;
    }
    const theirFields = fieldsOf(type);
    if (!theirFields) continue;
    const ourFields = fieldsOf(ours);
    if (!ourFields) {
      problems.push(`${type.name} changed kind`);
      continue;
    }
    for (const [name, field] of Object.entries(theirFields)) {
      const our = ourFields[name];
      const where = `${type.name}.${name}`;
      if (!our) {
        problems.push(`${where} is missing`);
        continue;
      }
      if (String(our.type) !== String(field.type))
        problems.push(`${where} is ${String(our.type)}, not ${String(field.type)}`);
      if ('defaultValue' in field && 'defaultValue' in our && field.defaultValue !== our.defaultValue) {
        problems.push(`${where} changed its default`);
      }
      for (const arg of argsOf(field)) {
        const ourArg = argsOf(our).find((a) => a.name === arg.name);
        if (!ourArg) problems.push(`${where}(${arg.name}) is missing`);
        else if (String(ourArg.type) !== String(arg.type) || ourArg.defaultValue !== arg.defaultValue) {
          problems.push(`${where}(${arg.name}) changed`);
        }
      }
      for (const ourArg of argsOf(our)) {
        if (isNonNullWithoutDefault(ourArg) && !argsOf(field).some((a) => a.name === ourArg.name)) {
          problems.push(`${where}(${ourArg.name}) is a new required argument`);
        }
      }
    }
  }
  return problems;
}

function isNonNullWithoutDefault(arg: GraphQLArgument): boolean {
  return String(arg.type).endsWith('!') && arg.defaultValue === undefined;
}
