import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FuzzResponse } from './http-client';
import type { OpenApiDocument, OperationSpec, Schema } from './openapi-operations';
import type { FuzzRequest } from './request-arbitrary';

// What an HTML refusal shows: an error page's code (/authorize: <p class="code">, dashboard: <p class="mono">),
// or a form page's alert saying what is wrong (a login page after too many attempts or for a blocked user).
const HTML_ERROR = /<p class="(?:code|mono)">[a-z_]+<\/p>|role="alert">[^<]+</;

/** Checks answers against what the document promises for them. */
export class ResponseRules {
  private readonly ajv = new Ajv({ strict: false, allErrors: false });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    addFormats(this.ajv);
    // Component references are resolved inside this schema, by their document path.
    this.ajv.addSchema({ components: document.components }, 'openapi');
  }

  /**
   * Everything wrong with `response` as an answer to `request`: a 5xx, a status or media type the document
   * does not list, a body that breaks its schema, a 4xx without `{error, error_description}` (JSON) or
   * without an error code or alert (HTML page), an oversized body not refused with 413.
   */
  violations(operation: OperationSpec, request: FuzzRequest, response: FuzzResponse): string[] {
    const found: string[] = [];
    const { status } = response;
    if (status >= 500) found.push(`answered ${status}`);
    if (status === 431 && !request.oversizedHead) found.push('431 for a request head within the limit');
    if (request.expectsTooLarge && !request.oversizedHead && status !== 413) {
      found.push(`a ${request.body?.length}-byte body was not refused with 413`);
    }
    const documented =
      status === 431 ? { 'application/json': undefined } : operation.responses[String(status)];
    if (!documented) {
      found.push(`status ${status} is not documented`);
      return found;
    }
    const mediaType = String(response.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const types = Object.keys(documented);
    if (response.body.length === 0) {
      if (types.length > 0) found.push(`empty body, documented: ${types.join(', ')}`);
      return found;
    }
    if (types.length === 0) {
      found.push(`a body (${mediaType || 'no content-type'}) where none is documented`);
      return found;
    }
    if (!types.includes(mediaType)) {
      found.push(`content-type ${mediaType || '(none)'} is not documented (${types.join(', ')})`);
      return found;
    }
    const text = response.body.toString('utf8');
    if (mediaType === 'application/json') {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return [...found, 'a JSON content-type with a body that does not parse'];
      }
      if (status >= 400 && status < 500 && !isOAuthError(body)) {
        found.push('a 4xx JSON body without string error and error_description');
      }
      const schema = documented[mediaType];
      const problem = schema ? this.validate(`${operation.key} ${status}`, schema, body) : undefined;
      if (problem) found.push(`body breaks the documented schema: ${problem}`);
    }
    if (mediaType === 'text/html' && status >= 400 && !HTML_ERROR.test(text)) {
      found.push('an HTML refusal that names no error');
    }
    return found;
  }

  private validate(key: string, schema: Schema, body: unknown): string | undefined {
    let validate = this.validators.get(key);
    if (!validate) {
      const rewritten = JSON.parse(
        JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'),
      );
      validate = this.ajv.compile(rewritten as object);
      this.validators.set(key, validate);
    }
    if (validate(body)) return undefined;
    return this.ajv.errorsText(validate.errors);
  }
}

/** RFC 6749 §5.2: `error` and `error_description`, both strings. */
export function isOAuthError(body: unknown): boolean {
  const b = body as { error?: unknown; error_description?: unknown } | null;
  return typeof b?.error === 'string' && typeof b.error_description === 'string';
}
