import { API_TAGS, type OpenApiSection } from '@libs/platform';

/** The delegation endpoint's part of the document. */
export const DELEGATION_OPENAPI: OpenApiSection = {
  tags: [
    {
      name: API_TAGS.delegation,
      description:
        'Auth0’s legacy `/delegation`: a refresh token for a fresh id_token, validated against the event ' +
        'store (a revoked token never yields one), rate-limited per IP and user (`X-RateLimit-*`).',
    },
  ],
};
