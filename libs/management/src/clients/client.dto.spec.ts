import type { Type } from '@nestjs/common';
import { ManagementApiError } from '../errors/management-api.error';
import { ManagementValidationPipe } from '../http/management-validation.pipe';
import { CreateClientBody, RefreshTokenBody, UpdateClientBody } from './client.dto';

const pipe = new ManagementValidationPipe();
const ROTATING = { rotation_type: 'rotating', expiration_type: 'expiring' };

/** The message `refresh_token` is refused with in a create body, or null when it passes. */
async function refusalOf(refreshToken: unknown, metatype: Type = CreateClientBody): Promise<string | null> {
  try {
    await pipe.transform({ name: 'A', refresh_token: refreshToken }, { type: 'body', metatype });
    return null;
  } catch (error) {
    if (error instanceof ManagementApiError && error.code === 'invalid_body') return error.message;
    throw error;
  }
}

/** Auth0's schema of the client's `refresh_token` object, field by field (the cross-field rules are not here). */
describe('RefreshTokenBody', () => {
  it('accepts the two types alone, and every field within its bounds', async () => {
    expect(await refusalOf(ROTATING)).toBeNull();
    expect(
      await refusalOf({
        rotation_type: 'non-rotating',
        expiration_type: 'non-expiring',
        leeway: 0,
        token_lifetime: 157_788_000,
        infinite_token_lifetime: false,
        idle_token_lifetime: 1,
        infinite_idle_token_lifetime: false,
      }),
    ).toBeNull();
    const dto = (await pipe.transform(
      { name: 'A', refresh_token: { ...ROTATING, leeway: 3 } },
      { type: 'body', metatype: CreateClientBody },
    )) as CreateClientBody;
    expect(dto.refresh_token).toBeInstanceOf(RefreshTokenBody);
    expect(dto.refresh_token).toMatchObject({ ...ROTATING, leeway: 3 });
  });

  it.each([
    [{ expiration_type: 'expiring' }, `'Missing required property: refresh_token.rotation_type'`],
    [{ rotation_type: 'rotating' }, `'Missing required property: refresh_token.expiration_type'`],
    [{ ...ROTATING, rotation_type: 'rotate' }, 'on property refresh_token.rotation_type'],
    [{ ...ROTATING, expiration_type: 'never' }, 'on property refresh_token.expiration_type'],
    [{ ...ROTATING, leeway: -1 }, 'on property refresh_token.leeway'],
    [{ ...ROTATING, leeway: 0.5 }, 'on property refresh_token.leeway'],
    [{ ...ROTATING, leeway: '5' }, 'on property refresh_token.leeway'],
    // Issue 19 finding 5: at most MAX_LEEWAY (300 s).
    [{ ...ROTATING, leeway: 301 }, 'on property refresh_token.leeway'],
    [{ ...ROTATING, token_lifetime: 0 }, 'on property refresh_token.token_lifetime'],
    [{ ...ROTATING, token_lifetime: 157_788_001 }, 'on property refresh_token.token_lifetime'],
    [{ ...ROTATING, idle_token_lifetime: 0 }, 'on property refresh_token.idle_token_lifetime'],
    [{ ...ROTATING, idle_token_lifetime: 1e12 }, 'on property refresh_token.idle_token_lifetime'],
    [{ ...ROTATING, infinite_token_lifetime: 1 }, 'on property refresh_token.infinite_token_lifetime'],
    [
      { ...ROTATING, infinite_idle_token_lifetime: 'true' },
      'on property refresh_token.infinite_idle_token_lifetime',
    ],
    [{ ...ROTATING, leeway: null }, 'on property refresh_token.leeway'],
    [{ ...ROTATING, policies: [] }, `'Additional properties not allowed: refresh_token.policies'`],
    ['rotating', 'on property refresh_token'],
    [[ROTATING], 'on property refresh_token'],
  ])('refuses %j, naming the field', async (refreshToken, message) => {
    expect(await refusalOf(refreshToken)).toContain(message);
  });

  it('applies the same schema to a PATCH', async () => {
    expect(await refusalOf(ROTATING, UpdateClientBody)).toBeNull();
    expect(await refusalOf({ rotation_type: 'rotating' }, UpdateClientBody)).toContain(
      'refresh_token.expiration_type',
    );
  });
});
