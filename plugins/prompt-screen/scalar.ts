/** The Prompt scalar: a string on the wire; non-empty, well-formed, at most `maxLength` characters. */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { ErrorCode } from '../../src/errors';

export const PROMPT_SCALAR = 'Prompt';

export function promptScalar(maxLength: number): GraphQLScalarType<string, string> {
  const check = (v: unknown): string => {
    const fail = (what: string) => new GraphQLError(`a Prompt ${what}; allowed: a non-empty string of at most ${maxLength} characters (MAX_TEXT_LENGTH), well-formed Unicode`, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
    if (typeof v !== 'string') throw fail(`is ${v === null ? 'null' : typeof v}, not a string`);
    if (v.trim().length === 0) throw fail('is empty');
    if (v.length > maxLength) throw fail(`has ${v.length} characters`);
    if (!v.isWellFormed()) throw fail('contains a lone UTF-16 surrogate');
    return v;
  };
  return new GraphQLScalarType<string, string>({
    name: PROMPT_SCALAR,
    description: 'A text prompt for a generator; screened before the operation executes.',
    serialize: (v) => {
      if (typeof v !== 'string') throw new GraphQLError(`Prompt cannot represent ${typeof v}`);
      return v;
    },
    parseValue: check,
    parseLiteral: (ast) => {
      if (ast.kind !== Kind.STRING) throw new GraphQLError(`a Prompt must be a string literal, not ${ast.kind}`, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
      return check(ast.value);
    },
  });
}
