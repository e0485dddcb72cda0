import type { RefreshTokenPolicy } from '@libs/domain';
import type { Client } from '@libs/tenants';

/** A client as the Management API returns it (Auth0's snake_case shape); never the secret or its hash. */
export interface ClientView {
  client_id: string;
  name: string;
  description: string;
  app_type: Client['appType'];
  callbacks: string[];
  web_origins: string[];
  allowed_origins: string[];
  grant_types: string[];
  token_endpoint_auth_method: Client['tokenEndpointAuthMethod'];
  jwt_configuration: { lifetime_in_seconds: number; alg: Client['idTokenAlg'] };
  management_api_scopes: string[];
  refresh_token: RefreshTokenPolicy;
  require_proof_of_possession: boolean;
  allowed_clients: string[];
  is_first_party: true;
  oidc_conformant: true;
}

/** The Management API view of a client. */
export function toClientView(client: Client): ClientView {
  return {
    client_id: client.clientId,
    name: client.name,
    description: client.description,
    app_type: client.appType,
    callbacks: [...client.callbacks],
    web_origins: [...client.webOrigins],
    allowed_origins: [...client.allowedOrigins],
    grant_types: [...client.grantTypes],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    jwt_configuration: { lifetime_in_seconds: client.idTokenLifetimeSeconds, alg: client.idTokenAlg },
    management_api_scopes: [...client.managementScopes],
    refresh_token: { ...client.refreshToken },
    require_proof_of_possession: client.requireProofOfPossession ?? false,
    allowed_clients: [...(client.allowedClients ?? [])],
    is_first_party: true,
    oidc_conformant: true,
  };
}
