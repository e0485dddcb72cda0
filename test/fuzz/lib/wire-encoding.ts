/**
 * Text that goes on the wire as it is: a fragment of JSON (deep nesting built as text, so neither the
 * fuzzer nor fast-check recurses into it) or of a form or query string (deliberately broken escapes).
 */
export class Raw {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/**
 * Percent-encodes the UTF-8 bytes of `text`. A lone surrogate has no UTF-8 form: it goes as U+FFFD, which is
 * what a browser would send too.
 */
export function percentEncode(text: string): string {
  return encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD'));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** JSON text of a value that may hold `Raw` fragments (which are written verbatim). */
export function toJsonText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value).map(
      (key) => `${JSON.stringify(key)}:${toJsonText((value as Record<string, unknown>)[key])}`,
    );
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A form (or query string) for a value: an object's members as `name=value` pairs, nested objects and
 * arrays in the bracket syntax qs reads (`a[b]=c`, `a[]=1`), anything else as one unnamed value. Names and
 * values are percent-encoded unless `Raw`.
 */
export function toFormText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return formValue(value);
  return formPairs(value as Record<string, unknown>, undefined).join('&');
}

function formPairs(object: Record<string, unknown> | unknown[], prefix: string | undefined): string[] {
  const entries: Array<[string, unknown]> = Array.isArray(object)
    ? object.map((v) => ['', v])
    : Object.keys(object).map((k) => [k, object[k]]);
  return entries.flatMap(([key, value]) => {
    const name = prefix === undefined ? percentEncode(key) : `${prefix}[${percentEncode(key)}]`;
    if (value !== null && typeof value === 'object' && !(value instanceof Raw)) {
      return formPairs(value as Record<string, unknown>, name);
    }
    return [`${name}=${formValue(value)}`];
  });
}

function formValue(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value === undefined) return '';
  return percentEncode(typeof value === 'string' ? value : JSON.stringify(value));
}
