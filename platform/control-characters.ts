import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, Kind, visit, type ArgumentNode, type ASTNode, type DocumentNode } from 'graphql';
import { ErrorCode, plazaError } from './errors.ts';

/**
 * C0 control characters other than tab, line feed and carriage return: no string input
 * of Plaza may hold one (PostgreSQL cannot store U+0000 at all, and none of them means
 * anything in a name, a city or a search).
 */
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/** Where a string input holds a control character, and which one. */
export interface ControlCharacterFound {
  /** The variable holding it (`$city`), when it came in a variable. */
  variableName?: string;
  /** The argument whose inline string literal holds it, when it is written in the operation. */
  argumentName?: string;
  /** The character, as `U+0000`. */
  character: string;
}

function codePoint(text: string): string {
  const char = CONTROL_CHARACTER.exec(text)![0];
  return `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first string (or object key) holding a control character inside a JSON value, walked without recursion. */
function controlCharacterInValue(value: unknown): string | null {
  const pending: unknown[] = [value];
  while (pending.length) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (CONTROL_CHARACTER.test(next)) return codePoint(next);
    } else if (Array.isArray(next)) {
      for (const item of next) pending.push(item);
    } else if (next !== null && typeof next === 'object') {
      for (const [key, item] of Object.entries(next)) {
        if (CONTROL_CHARACTER.test(key)) return codePoint(key);
        pending.push(item);
      }
    }
  }
  return null;
}

/** The first inline string literal of a document (argument, default value) holding a control character. */
export function controlCharacterInLiterals(document: DocumentNode): ControlCharacterFound | null {
  let found: ControlCharacterFound | null = null;
  visit(document, {
    StringValue(node, _key, parent, _path, ancestors) {
      if (!CONTROL_CHARACTER.test(node.value)) return;
      // the nearest argument above the literal (inside lists and input objects too); none for a variable's default
      const above = [...ancestors, parent] as (ASTNode | readonly ASTNode[] | undefined)[];
      let argumentName: string | undefined;
      for (let i = above.length - 1; i >= 0 && argumentName === undefined; i--) {
        const ancestor = above[i];
        if (ancestor && !Array.isArray(ancestor) && (ancestor as ASTNode).kind === Kind.ARGUMENT) argumentName = (ancestor as ArgumentNode).name.value;
      }
      found = { argumentName, character: codePoint(node.value) };
      return BREAK;
    },
  });
  return found;
}

/** The first string input of an operation in its variables (nested input objects and lists too) holding a control character. */
export function controlCharacterInVariables(variables: Record<string, unknown> | undefined): ControlCharacterFound | null {
  for (const [name, value] of Object.entries(variables ?? {})) {
    const character = controlCharacterInValue(value);
    if (character) return { variableName: name, character };
  }
  return null;
}

/** Options of the control-character refusal. */
export interface ControlCharacterOptions {
  /** HTTP status of the refusal. Default 400 (the request is refused before anything runs). */
  httpStatus?: number;
}

/**
 * Refuses an operation any of whose string inputs (variables, including nested input
 * objects and lists, and inline string literals) holds a control character other than
 * tab, newline and carriage return: BAD_USER_INPUT naming the variable or argument.
 * One check before execution covers every field of every subgraph that uses it.
 */
export function refuseControlCharacters(options: ControlCharacterOptions = {}): ApolloServerPlugin<any> {
  const httpStatus = options.httpStatus ?? 400;
  // a document is the same object for every request of the same text (Apollo's document cache): walked once
  const literals = new WeakMap<DocumentNode, ControlCharacterFound | null>();
  const inLiterals = (document: DocumentNode) => {
    let found = literals.get(document);
    if (found === undefined) literals.set(document, (found = controlCharacterInLiterals(document)));
    return found;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const found = controlCharacterInVariables(request.variables) ?? inLiterals(document);
          if (!found) return;
          const where = found.variableName !== undefined ? `Variable "$${found.variableName}"` : found.argumentName !== undefined ? `Argument "${found.argumentName}"` : 'A string in the operation';
          throw plazaError(ErrorCode.BAD_USER_INPUT, `${where} holds a control character (${found.character}); strings may hold tab, newline and carriage return but no other control character`, {
            httpStatus,
            extensions: found.variableName !== undefined ? { variableName: found.variableName } : found.argumentName !== undefined ? { argumentName: found.argumentName } : {},
          });
        },
      };
    },
  };
}
