import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { newCredentialId, RevokeCredential } from '@libs/credentials';
import type { AuthenticatedClient } from '@libs/tenants';
import type { WriteContext } from '@libs/event-store';
import { UserRepository } from '@libs/tenants';
import {
  InvalidGrant,
  InvalidRequest,
  stringParam,
  UnauthorizedClient,
  type OAuthParams,
} from '@libs/platform';
import { constantTimeEqual } from '@libs/security';
import {
  AuthorizationCodeStore,
  type StoredAuthorizationCode,
} from '../../authorization-codes/authorization-code.store';
import { UserTokens, type TokenResponse } from '../user-tokens';

const INVALID_CODE = 'Invalid authorization code';

/**
 * `grant_type=authorization_code` (RFC 6749 §4.1.3, PKCE RFC 7636 §4.6). A code works once, for the
 * client it was issued to, with its `redirect_uri` and PKCE verifier. A code presented again revokes the
 * refresh token it produced (RFC 6749 §4.1.2).
 */
@Injectable()
export class AuthorizationCodeGrant {
  private readonly logger = new Logger(AuthorizationCodeGrant.name);

  constructor(
    private readonly codes: AuthorizationCodeStore,
    private readonly users: UserRepository,
    private readonly tokens: UserTokens,
    private readonly commands: CommandBus,
  ) {}

  async handle(
    params: OAuthParams,
    { client, confidential }: AuthenticatedClient,
    context: WriteContext & { jkt?: string },
  ): Promise<TokenResponse> {
    if (!client.grantTypes.includes('authorization_code')) {
      throw new UnauthorizedClient('The client is not allowed to use the authorization_code grant.');
    }
    const code = stringParam(params, 'code', { required: true, max: 512 });
    const redirectUri = stringParam(params, 'redirect_uri', { max: 2_048 });
    const verifier = stringParam(params, 'code_verifier', { max: 128 });
    if (verifier !== undefined && !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
      throw new InvalidRequest(
        'code_verifier must be 43 to 128 characters of [A-Z a-z 0-9 - . _ ~] (RFC 7636 §4.1).',
      );
    }

    const credentialId = newCredentialId();
    const result = await this.codes.consume(code, credentialId);
    if (result.outcome === 'replayed') {
      await this.revokeReplayed(result.code, context);
      throw new InvalidGrant(INVALID_CODE);
    }
    if (result.outcome !== 'consumed') throw new InvalidGrant(INVALID_CODE);
    const grant = result.code;

    if (grant.clientId !== client.clientId) throw new InvalidGrant(INVALID_CODE);
    // RFC 6749 §4.1.3: the same redirect_uri as the authorization request.
    if (redirectUri !== grant.redirectUri)
      throw new InvalidGrant('redirect_uri does not match the authorization request.');
    if (grant.codeChallenge) {
      if (!verifier || !constantTimeEqual(s256(verifier), grant.codeChallenge)) {
        throw new InvalidGrant('Failed to verify code_verifier.');
      }
    } else if (verifier !== undefined) {
      // RFC 9700 §2.1.1: a verifier for a code issued without a challenge is a PKCE downgrade attempt.
      throw new InvalidGrant('code_verifier sent for a code issued without code_challenge.');
    } else if (!confidential) {
      throw new InvalidGrant('A public client must use PKCE.');
    }

    const user = await this.users.findById(grant.userId);
    if (!user || user.blocked) throw new InvalidGrant(INVALID_CODE);

    const issued = await this.tokens.issue(
      {
        client,
        user,
        scope: grant.scope,
        device: grant.device,
        nonce: grant.nonce,
        authTime: grant.authTime,
        grant: 'authorization_code',
        credentialId,
      },
      context,
    );
    // A replay that raced this exchange found no token to revoke yet: revoke it now and refuse.
    if (issued.credentialId && (await this.codes.wasReplayed(result.codeHash))) {
      await this.commands.execute(
        new RevokeCredential(
          issued.credentialId,
          'authorization_code_replay',
          'system',
          context.correlationId,
        ),
      );
      throw new InvalidGrant(INVALID_CODE);
    }
    return issued.response;
  }

  private async revokeReplayed(code: StoredAuthorizationCode, context: WriteContext): Promise<void> {
    this.logger.warn({
      msg: 'authorization code replayed; revoking what it issued',
      clientId: code.clientId,
    });
    if (!code.credentialId) return;
    await this.commands
      .execute(
        new RevokeCredential(code.credentialId, 'authorization_code_replay', 'system', context.correlationId),
      )
      .catch((error: unknown) => {
        // Not issued (yet): the exchange in flight checks for the replay once it has issued.
        if ((error as { code?: string }).code !== 'credential_not_found') throw error;
      });
  }
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
