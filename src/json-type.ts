/**
 * How a value from a client's JSON body is named in an error message: its JSON type, and a short form of
 * the value where that helps ("a number (5)", "a string ("512")", "an array of 2 items", "null"). Messages
 * about a field of the wrong type say what was expected and what came: `prompt must be a string, got a
 * number (5)`, never "prompt is missing" for a field that is there.
 */

/** Longest part of a string value quoted in a message. */
const QUOTED_CHARS = 40;

/** The JSON type of `v` with a short form of it, for "got ..." in a message. */
export function jsonType(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  if (v === null) return 'null';
  if (typeof v === 'string') {
    const shown = v.length > QUOTED_CHARS ? `${JSON.stringify(v.slice(0, QUOTED_CHARS)).slice(0, -1)}..."` : JSON.stringify(v);
    return v.length === 0 ? 'an empty string' : `a string (${shown})`;
  }
  if (typeof v === 'number') return `a number (${v})`;
  if (typeof v === 'boolean') return `a boolean (${v})`;
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : `an array of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (typeof v === 'object') return Object.keys(v).length === 0 ? 'an empty object' : 'an object';
  return typeof v;
}
