import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { API_TAGS, type OpenApiSection } from '../openapi/openapi-document';

/** The operational endpoints' part of the document. */
export const OPERATIONS_OPENAPI: OpenApiSection = {
  tags: [{ name: API_TAGS.operations, description: 'Liveness and readiness probes.' }],
};

const CHECK: SchemaObject = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['up', 'down'] },
    error: { type: 'string', description: 'Why the dependency is down.' },
  },
};

const READINESS: SchemaObject = {
  type: 'object',
  required: ['status', 'down', 'checks'],
  properties: {
    status: {
      type: 'string',
      enum: ['ok', 'degraded', 'unavailable'],
      description: '`degraded`: every dependency answers, but the hot path is being shed (overload).',
    },
    down: { type: 'array', items: { type: 'string' }, description: 'The dependencies that did not answer.' },
    checks: { type: 'object', additionalProperties: CHECK, example: { postgres: { status: 'up' } } },
    overload: {
      type: 'object',
      description:
        'Admission control of a process that serves the hot path (docs/operations.md, "Overload").',
      properties: {
        inFlight: { type: 'integer', description: 'Hot-path requests admitted and not yet answered.' },
        limit: { type: 'integer', description: 'The in-flight bound in force (0: none).' },
        eventLoopDelayMs: { type: 'number', description: "The event loop's recent p99 delay." },
        shedding: {
          type: 'boolean',
          description: 'True when the next hot-path request would be answered 503.',
        },
      },
    },
  },
};

/** `GET /health`. */
export const ApiLiveness = () =>
  applyDecorators(
    ApiOperation({ summary: 'Liveness: the process answers HTTP' }),
    ApiResponse({
      status: 200,
      description: 'Alive.',
      schema: {
        type: 'object',
        required: ['status'],
        properties: { status: { type: 'string', enum: ['ok'] } },
      },
    }),
  );

/** `GET /health/ready`. */
export const ApiReadiness = () =>
  applyDecorators(
    ApiOperation({ summary: 'Readiness: PostgreSQL and Kafka answer' }),
    ApiResponse({ status: 200, description: 'Every dependency answers.', schema: READINESS }),
    ApiResponse({
      status: 503,
      description:
        'A dependency is down (named in `down`); the body is the readiness report, not an OAuth error.',
      schema: READINESS,
      headers: { 'Retry-After': { schema: { type: 'integer' } } },
    }),
  );
