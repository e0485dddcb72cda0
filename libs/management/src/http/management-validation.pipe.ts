import { Injectable, ValidationPipe, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { METADATA_LIMITS } from '@libs/tenants';
import { ManagementApiError, ManagementErrorCode } from '../errors/management-api.error';

// Keys that would reach an object's prototype once class-transformer copies them onto a DTO, or shadow a
// member every object inherits (`hasOwnProperty`, `toString`...): class-validator's whitelist lets those by.
const FORBIDDEN_KEYS = new Set(['prototype', ...Object.getOwnPropertyNames(Object.prototype)]);
// Half of a UTF-16 surrogate pair: JSON can carry one (`"\ud800"`), Unicode text cannot, and validator.js
// throws on it (isEmail → encodeURI) instead of answering.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Our DTOs nest two levels at most; deeper input is refused before class-transformer recurses into it.
const MAX_DEPTH = 4;
// A user's metadata is free JSON, nested within its own bound; `null` in it is data (at its top level,
// a PATCH's way to remove a key). The use case checks the rest (`assertMetadata`).
const METADATA_FIELDS = new Set(['user_metadata', 'app_metadata']);
const METADATA_MAX_DEPTH = 1 + METADATA_LIMITS.maxDepth;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Finds a reason to refuse `value` before it is transformed: a prototype key, excessive nesting, a NUL
 * character (PostgreSQL rejects it in text, which would turn bad input into a 500), an unpaired surrogate
 * (not text; validators throw on it), or a `null` member
 * (`@IsOptional` lets null through, and it would reach NOT NULL columns). Iterative, so no input can
 * overflow the stack.
 */
function structuralProblem(value: unknown): string | undefined {
  const pending: Array<[node: unknown, depth: number, path: string, metadata: boolean]> = [
    [value, 0, '', false],
  ];
  while (pending.length > 0) {
    const [node, depth, path, metadata] = pending.pop()!;
    if (typeof node === 'string' && node.includes('\u0000')) {
      return `'NUL characters are not allowed' on property ${path}`;
    }
    if (typeof node === 'string' && LONE_SURROGATE.test(node)) {
      return `'Unpaired UTF-16 surrogates are not allowed' on property ${path}`;
    }
    if (node === null && path && !(metadata && depth > 1)) {
      return `'Expected a value but found type null' on property ${path}`;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth >= (metadata ? METADATA_MAX_DEPTH : MAX_DEPTH)) return `'Too deeply nested'`;
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key)) return `'Additional properties not allowed: ${key}'`;
      const child = path ? `${path}.${key}` : key;
      pending.push([
        (node as Record<string, unknown>)[key],
        depth + 1,
        child,
        metadata || (depth === 0 && METADATA_FIELDS.has(key)),
      ]);
    }
  }
  return undefined;
}

/** One line per offending property, naming it (Auth0: `'Missing required property: email'`). */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  const additional: string[] = [];
  const details: string[] = [];
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const constraints = error.constraints ?? {};
    if ('whitelistValidation' in constraints) additional.push(path);
    else if (error.value === undefined && Object.keys(constraints).length > 0) {
      details.push(`'Missing required property: ${path}'`);
    } else {
      const [first] = Object.values(constraints);
      if (first) details.push(`'${first}' on property ${path}`);
    }
    if (error.children?.length) details.push(...describeValidationErrors(error.children, path));
  }
  return [
    ...(additional.length ? [`'Additional properties not allowed: ${additional.join(', ')}'`] : []),
    ...details,
  ];
}

// Field names come from the request: the message names them, within a bound.
const MAX_MESSAGE_LENGTH = 1024;
const bounded = (message: string) =>
  message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;

interface Target {
  pipe: ValidationPipe;
  code: ManagementErrorCode;
  label: string;
}

function target(code: ManagementErrorCode, label: string): Target {
  const pipe = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // Types are never coerced in bodies ("1" is not a number); query DTOs convert explicitly.
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: true,
    validationError: { target: false, value: true },
    exceptionFactory: (errors) =>
      new ManagementApiError(
        code,
        bounded(`${label} validation error: ${describeValidationErrors(errors).join('; ')}.`),
      ),
  });
  return { pipe, code, label };
}

/**
 * Validates Management API bodies and query strings against their class-validator DTOs: unknown, missing,
 * mistyped or oversized fields, prototype keys and non-object bodies are refused with a 400 naming the field
 * (`invalid_body` / `invalid_query_string`) before any handler runs.
 */
@Injectable()
export class ManagementValidationPipe implements PipeTransform {
  private readonly targets: Partial<Record<ArgumentMetadata['type'], Target>> = {
    body: target(ManagementErrorCode.InvalidBody, 'Payload'),
    query: target(ManagementErrorCode.InvalidQueryString, 'Query'),
  };

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param' && typeof value === 'string' && value.includes('\u0000')) {
      throw new ManagementApiError(
        ManagementErrorCode.InvalidUri,
        `Path validation error: 'NUL characters are not allowed' on property ${metadata.data ?? 'path'}.`,
      );
    }
    const checked = this.targets[metadata.type];
    if (!checked) return value;
    const { pipe, code, label } = checked;
    // An absent body or query is an empty object: its required fields are then named as missing.
    const input = value ?? {};
    const found = typeName(input);
    if (found !== 'object') {
      throw new ManagementApiError(
        code,
        `${label} validation error: 'Expected type object but found type ${found}'.`,
      );
    }
    const problem = structuralProblem(input);
    if (problem) throw new ManagementApiError(code, bounded(`${label} validation error: ${problem}.`));
    return pipe.transform(input, metadata) as Promise<unknown>;
  }
}
