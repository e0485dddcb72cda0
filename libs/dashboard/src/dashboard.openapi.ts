import { API_TAGS, type OpenApiSection } from '@libs/platform';

/** Security scheme of the dashboard: the session cookie its login form sets. */
export const DASHBOARD_SESSION = 'dashboard_session';

/** The dashboard's part of the document. */
export const DASHBOARD_OPENAPI: OpenApiSection = {
  tags: [
    {
      name: API_TAGS.dashboard,
      description:
        'Server-rendered HTML for administrators: login, users with search, a user’s devices, Unlink. Forms ' +
        'carry a `csrf_token` and must come from the dashboard’s own origin; a request without a session is ' +
        'redirected (302) to the login page; refusals are HTML pages naming the error code.',
    },
  ],
  securitySchemes: () => ({
    [DASHBOARD_SESSION]: {
      type: 'apiKey',
      in: 'cookie',
      name: 'dashboard_session',
      description: 'Set by `POST /dashboard/login` (`__Secure-dashboard_session` over https), 8 hours.',
    },
  }),
};
