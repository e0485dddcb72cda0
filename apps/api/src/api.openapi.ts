import type { INestApplication } from '@nestjs/common';
import { AUTHENTICATION_OPENAPI } from '@libs/authentication';
import type { AppConfig } from '@libs/config';
import { DASHBOARD_OPENAPI } from '@libs/dashboard';
import { DELEGATION_OPENAPI } from '@libs/delegation';
import { MANAGEMENT_OPENAPI } from '@libs/management';
import {
  buildOpenApiDocument,
  OPERATIONS_OPENAPI,
  REQUEST_BODY_LIMIT_BYTES,
  serveOpenApi,
  type OpenApiDescription,
} from '@libs/platform';

/** The public origin's OpenAPI heading: what every operation below has in common. */
export function describeApi(config: AppConfig): OpenApiDescription {
  return {
    title: 'Refresh-token service',
    version: '0.1.0',
    description: [
      'An Auth0-compatible tenant: the Authentication API (`/authorize`, `/oauth/token`, `/delegation`,',
      '`/oauth/revoke`, `/userinfo`, discovery), the Management API v2 (`/api/v2/*`), the administrators’',
      'dashboard and the operational endpoints.',
      '',
      `Bodies are JSON or \`application/x-www-form-urlencoded\`, at most ${REQUEST_BODY_LIMIT_BYTES} bytes.`,
      'Every refusal is `{error, error_description}` (RFC 6749 §5.2); the Management API adds Auth0’s',
      '`statusCode`, `message` and `errorCode`. The browser-facing pages (`/authorize`, `/dashboard`) answer',
      'their refusals with an HTML page naming the error code.',
    ].join('\n'),
    publicUrl: config.publicUrl,
    sections: [
      AUTHENTICATION_OPENAPI,
      DELEGATION_OPENAPI,
      MANAGEMENT_OPENAPI,
      DASHBOARD_OPENAPI,
      OPERATIONS_OPENAPI,
    ],
  };
}

/** Serves the document at `/openapi.json` and Swagger UI at `/docs` (the boot `configure` hook). */
export function configureOpenApi(app: INestApplication, config: AppConfig): void {
  serveOpenApi(app, buildOpenApiDocument(app, describeApi(config)));
}
