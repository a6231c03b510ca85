/**
 * JSON text written by hand where JSON.stringify's cost per call shows (every string value
 * of an answer, every entity representation): the same text JSON.stringify writes, for the
 * values JSON.parse makes.
 */

/** What JSON.stringify escapes in a string (a surrogate only when lone, but any sends the string there). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as JSON text: JSON.stringify's, without its cost for the common string with nothing
 * to escape (a call per value, and a fresh copy of the text; quoted by concatenation, the
 * value's own text is joined into the answer as it is).
 */
export function stringText(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : '"' + value + '"';
}

/**
 * An entity representation as JSON text, as JSON.stringify writes it: its keys are response
 * names of the plan (GraphQL names, nothing to escape), its scalar values written here and
 * any list or object (a composite key) by JSON.stringify.
 */
export function representationText(representation: Record<string, unknown>): string {
  let text = '{';
  for (const key in representation) {
    const value = representation[key];
    let written: string | undefined;
    if (typeof value === 'string') written = stringText(value);
    else if (typeof value === 'number') written = Number.isFinite(value) ? String(value) : 'null';
    else if (typeof value === 'boolean') written = value ? 'true' : 'false';
    else if (value === null) written = 'null';
    else written = JSON.stringify(value);
    // left out, as JSON.stringify leaves out a property it cannot write (undefined)
    if (written === undefined) continue;
    text += (text.length === 1 ? '"' : ',"') + key + '":' + written;
  }
  return text + '}';
}
