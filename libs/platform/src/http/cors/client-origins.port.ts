/**
 * Which page origins the tenant's clients let call the Authentication API from a browser (Auth0's
 * `allowed_origins` and `web_origins`). A port: the CORS middleware asks it; the clients' side answers.
 * `origin` is the `Origin` request header as the browser sent it.
 */
export abstract class ClientOrigins {
  /** True when at least one client lists `origin`: how a preflight, which names no client, is answered. */
  abstract listedByAnyClient(origin: string): Promise<boolean>;
  /** True when the client `clientId` exists and lists `origin`. */
  abstract listedByClient(clientId: string, origin: string): Promise<boolean>;
}
