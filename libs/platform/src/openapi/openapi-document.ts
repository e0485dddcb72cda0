import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type SecuritySchemeObject,
  type TagObject,
} from '@nestjs/swagger';
import { OAuthErrorResponse } from './oauth-error.response';

/** Where the document is served (JSON), and Swagger UI over it (assets from swagger-ui-dist, offline). */
export const OPENAPI_JSON_PATH = '/openapi.json';
export const OPENAPI_UI_PATH = '/docs';

/** Nest's body-parser limit for JSON and form bodies (its default, which the service keeps). */
export const REQUEST_BODY_LIMIT_BYTES = 100 * 1024;

/** The document's extension naming that limit, so clients and the fuzz suite read it from one place. */
export const BODY_LIMIT_EXTENSION = 'x-request-body-limit-bytes';

/** The document's tags, one per part of the public origin; each lib describes its own in its section. */
export const API_TAGS = {
  authentication: 'Authentication API',
  delegation: 'Delegation (legacy)',
  management: 'Management API v2',
  dashboard: 'Dashboard',
  operations: 'Operations',
} as const;

/** What a lib contributes to the document besides its decorators: its tags and security schemes. */
export interface OpenApiSection {
  tags: TagObject[];
  securitySchemes?: (publicUrl: string) => Record<string, SecuritySchemeObject>;
}

/** The document's heading and the sections of the libs the app composes. */
export interface OpenApiDescription {
  title: string;
  version: string;
  description: string;
  publicUrl: string;
  sections: OpenApiSection[];
}

// Refusals of the body parsers, which run before routing: every operation can answer them, in JSON.
const TRANSPORT_ERRORS: Readonly<Record<string, string>> = {
  '400': 'Malformed body (JSON that does not parse, a form nested deeper than 32 levels): `invalid_request`.',
  '413': `A body over ${REQUEST_BODY_LIMIT_BYTES} bytes, or a form with more than 1000 parameters: \`request_entity_too_large\`.`,
  '415': 'A body encoding or charset the parsers do not support: `unsupported_media_type`.',
};
const OAUTH_ERROR_JSON = { schema: { $ref: '#/components/schemas/OAuthError' } };
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The OpenAPI 3 document of `app`, from the Swagger decorators on its controllers and DTOs, plus what
 * no decorator can say: the transport's own refusals on every operation and the body limit.
 */
export function buildOpenApiDocument(app: INestApplication, description: OpenApiDescription): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.0.3')
    .setTitle(description.title)
    .setVersion(description.version)
    .setDescription(description.description)
    .addServer(description.publicUrl);
  for (const section of description.sections) {
    for (const tag of section.tags) builder.addTag(tag.name, tag.description);
    const schemes = section.securitySchemes?.(description.publicUrl) ?? {};
    for (const [name, scheme] of Object.entries(schemes)) builder.addSecurity(name, scheme);
  }
  const document = SwaggerModule.createDocument(app, builder.build(), {
    extraModels: [OAuthErrorResponse],
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  addTransportErrors(document);
  return Object.assign(document, { [BODY_LIMIT_EXTENSION]: REQUEST_BODY_LIMIT_BYTES });
}

// Swagger UI is script and styles from swagger-ui-dist on this origin, inline styles and data: images; it
// calls the API itself from "Try it out". Nothing else, and nothing from elsewhere.
const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Serves `document` at `/openapi.json` and Swagger UI at `/docs`. */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  app.use(
    OPENAPI_UI_PATH,
    (_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
      res.setHeader('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
      next();
    },
  );
  SwaggerModule.setup(OPENAPI_UI_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: document.info.title,
  });
}

function addTransportErrors(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      for (const [status, text] of Object.entries(TRANSPORT_ERRORS)) {
        const response = (operation.responses[status] ??= { description: text });
        if ('$ref' in response || response.content?.['application/json']) continue;
        // A copy: decorators share content objects between operations.
        response.content = { ...response.content, 'application/json': OAUTH_ERROR_JSON };
      }
    }
  }
}
