/**
 * An answer's data the engine has already written as JSON text (shaping.ts writeResponse),
 * and the answer's text around it. Apollo Server stringifies what a gateway's executor
 * returns; Plaza's server hands it `stringifyResult` below, which splices the text in
 * instead of building and stringifying a second tree. A plugin that must read or change
 * the data (authorization completing denied fields) takes it with `dataOf`; anything that
 * stringifies it (a response cache) gets the same data through `toJSON`.
 */
import type { FormattedExecutionResult } from 'graphql';

export class WrittenData {
  /** `answer`: the whole answer with only this data in it (shaping.ts writeResponse); `text` the data's part of it. */
  constructor(
    readonly text: string,
    readonly answer?: string,
  ) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** The data of an answer as objects, whether the engine wrote it as text or not. */
export function dataOf<T>(data: T | WrittenData): T {
  return data instanceof WrittenData ? (JSON.parse(data.text) as T) : data;
}

/** Apollo Server's own answer text (`JSON.stringify` of errors, data, extensions, then a newline), the written data spliced in as it is. */
export function stringifyResult(result: FormattedExecutionResult): string {
  const data: unknown = result.data;
  if (!(data instanceof WrittenData)) return JSON.stringify(result) + '\n';
  // the common answer, data alone, as the engine wrote it: one flat text, no copy
  if (result.errors === undefined && result.extensions === undefined && data.answer !== undefined) return data.answer;
  const errors = result.errors === undefined ? '' : `"errors":${JSON.stringify(result.errors)},`;
  const extensions = result.extensions === undefined ? '' : `,"extensions":${JSON.stringify(result.extensions)}`;
  return `{${errors}"data":${data.text}${extensions}}\n`;
}
