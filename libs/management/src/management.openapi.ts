import { API_TAGS, type OpenApiSection } from '@libs/platform';
import { MANAGEMENT_SCOPES } from '@libs/tenants';

/** Security scheme of Management API tokens; operations name the scopes they require in it. */
export const MANAGEMENT_SECURITY = 'management';

// 'read:device_credentials' → 'Read device credentials'.
const describeScope = (scope: string) => {
  const [action, resource] = scope.split(':');
  return `${action[0].toUpperCase()}${action.slice(1)} ${resource.replace(/_/g, ' ')}`;
};

/** The Management API's part of the document. */
export const MANAGEMENT_OPENAPI: OpenApiSection = {
  tags: [
    {
      name: API_TAGS.management,
      description:
        'Auth0’s Management API v2: applications, users, device credentials and refresh tokens, and signing ' +
        'keys. A bearer access token from the client_credentials grant (`audience=<PUBLIC_URL>/api/v2/`) ' +
        'holding every scope the operation names.',
    },
  ],
  securitySchemes: (publicUrl) => ({
    [MANAGEMENT_SECURITY]: {
      type: 'oauth2',
      description:
        '`Authorization: Bearer <token>`; the token comes from `POST /oauth/token` with ' +
        '`grant_type=client_credentials` and `audience=<PUBLIC_URL>/api/v2/`, carrying the scopes granted to ' +
        'the client (`management_api_scopes`).',
      flows: {
        clientCredentials: {
          tokenUrl: `${publicUrl}/oauth/token`,
          scopes: Object.fromEntries(MANAGEMENT_SCOPES.map((scope) => [scope, describeScope(scope)])),
        },
      },
    },
  }),
};
