import type { ArgumentMetadata } from '@nestjs/common';
import { CreateClientBody, ListClientsQuery } from '../clients/client.dto';
import { ManagementApiError } from '../errors/management-api.error';
import { CreateUserBody, UpdateUserBody } from '../users/user.dto';
import { ManagementValidationPipe } from './management-validation.pipe';

const pipe = new ManagementValidationPipe();
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });
const query = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'query', metatype });

async function refusal(value: unknown, metadata: ArgumentMetadata): Promise<ManagementApiError> {
  try {
    await pipe.transform(value, metadata);
  } catch (error) {
    if (error instanceof ManagementApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('ManagementValidationPipe', () => {
  it('returns a DTO instance for a valid body', async () => {
    const dto = await pipe.transform(
      { name: 'App', jwt_configuration: { alg: 'ES256' } },
      body(CreateClientBody),
    );
    expect(dto).toBeInstanceOf(CreateClientBody);
    expect(dto).toMatchObject({ name: 'App', jwt_configuration: { alg: 'ES256' } });
  });

  it('refuses unknown fields, naming them', async () => {
    const error = await refusal({ name: 'App', logo_uri: 'x', oidc: true }, body(CreateClientBody));
    expect(error.code).toBe('invalid_body');
    expect(error.message).toBe(
      `Payload validation error: 'Additional properties not allowed: logo_uri, oidc'.`,
    );
  });

  it('refuses unknown nested fields', async () => {
    const error = await refusal({ name: 'App', jwt_configuration: { secret: 'x' } }, body(CreateClientBody));
    expect(error.message).toMatch(/Additional properties not allowed: jwt_configuration\.secret/);
  });

  it('names a missing required field', async () => {
    const error = await refusal({ connection: 'c', password: 'p' }, body(CreateUserBody));
    expect(error.message).toBe(`Payload validation error: 'Missing required property: email'.`);
  });

  it('refuses wrong types without coercion', async () => {
    expect((await refusal({ name: 123 }, body(CreateClientBody))).message).toMatch(/on property name/);
    const error = await refusal(
      { name: 'A', jwt_configuration: { lifetime_in_seconds: '60' } },
      body(CreateClientBody),
    );
    expect(error.message).toMatch(/on property jwt_configuration\.lifetime_in_seconds/);
    expect((await refusal({ name: 'A', jwt_configuration: 'x' }, body(CreateClientBody))).code).toBe(
      'invalid_body',
    );
    expect((await refusal({ name: 'A', callbacks: 'https://x' }, body(CreateClientBody))).message).toMatch(
      /callbacks/,
    );
  });

  it('caps string lengths', async () => {
    expect((await refusal({ name: 'x'.repeat(129) }, body(CreateClientBody))).message).toMatch(
      /name must be shorter than or equal to 128 characters/,
    );
  });

  it('refuses prototype keys, non-object bodies and deep nesting', async () => {
    const proto = JSON.parse('{"name":"A","__proto__":{"admin":true}}') as unknown;
    expect((await refusal(proto, body(CreateClientBody))).message).toMatch(
      /Additional properties not allowed: __proto__/,
    );
    expect((await refusal({ name: 'A', constructor: { prototype: {} } }, body(CreateClientBody))).code).toBe(
      'invalid_body',
    );
    expect((await refusal([{ name: 'A' }], body(CreateClientBody))).message).toMatch(/found type array/);
    expect((await refusal('text', body(CreateClientBody))).message).toMatch(/found type string/);
    expect((await refusal(null, body(CreateClientBody))).message).toMatch(/Missing required property: name/);
    let deep: unknown = {};
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    expect((await refusal({ name: 'A', deep }, body(CreateClientBody))).message).toMatch(/Too deeply nested/);
  });

  it('converts and checks query strings with invalid_query_string', async () => {
    const dto = (await pipe.transform(
      { page: '2', per_page: '10', include_totals: 'true' },
      query(ListClientsQuery),
    )) as ListClientsQuery;
    expect(dto).toMatchObject({ page: 2, per_page: 10, include_totals: true, include_fields: true });
    expect(await pipe.transform({}, query(ListClientsQuery))).toMatchObject({ page: 0, per_page: 50 });
    for (const bad of [
      { page: '-1' },
      { page: 'x' },
      { per_page: '101' },
      { page: ['1', '2'] },
      { include_totals: 'yes' },
    ]) {
      const error = await refusal(bad, query(ListClientsQuery));
      expect(error.code).toBe('invalid_query_string');
      expect(error.message).toMatch(/^Query validation error: .*(page|per_page|include_totals)/);
    }
    expect((await refusal({ foo: '1' }, query(ListClientsQuery))).message).toBe(
      `Query validation error: 'Additional properties not allowed: foo'.`,
    );
  });

  it('refuses members that shadow what every object inherits', async () => {
    for (const key of ['hasOwnProperty', 'toString', 'valueOf', '__defineGetter__']) {
      expect((await refusal({ name: 'A', [key]: 'x' }, body(CreateClientBody))).message).toBe(
        `Payload validation error: 'Additional properties not allowed: ${key}'.`,
      );
    }
  });

  it('refuses null members, which @IsOptional would let through', async () => {
    expect((await refusal({ name: null }, body(UpdateUserBody))).message).toBe(
      `Payload validation error: 'Expected a value but found type null' on property name.`,
    );
    expect(
      (await refusal({ name: 'A', jwt_configuration: { alg: null } }, body(CreateClientBody))).message,
    ).toMatch(/on property jwt_configuration\.alg/);
  });

  it('refuses unpaired surrogates, on which validators would throw', async () => {
    for (const email of ['\ud800', 'a\udfff@example.com']) {
      expect((await refusal({ email }, body(UpdateUserBody))).message).toBe(
        `Payload validation error: 'Unpaired UTF-16 surrogates are not allowed' on property email.`,
      );
    }
    expect(await pipe.transform({ name: 'emoji 😀' }, body(UpdateUserBody))).toMatchObject({
      name: 'emoji 😀',
    });
  });

  it('refuses NUL characters anywhere, naming the property', async () => {
    expect((await refusal({ name: 'a\u0000b' }, body(CreateClientBody))).message).toBe(
      `Payload validation error: 'NUL characters are not allowed' on property name.`,
    );
    expect(
      (await refusal({ name: 'A', callbacks: ['https://x/\u0000'] }, body(CreateClientBody))).message,
    ).toMatch(/on property callbacks\.0/);
    expect((await refusal({ fields: '\u0000' }, query(ListClientsQuery))).code).toBe('invalid_query_string');
    const param = await refusal('auth0|\u0000', { type: 'param', metatype: String, data: 'id' });
    expect(param).toMatchObject({ code: 'invalid_uri', status: 400 });
    expect(param.message).toMatch(/on property id/);
  });

  it('leaves other path parameters alone', async () => {
    expect(await pipe.transform('auth0|x', { type: 'param', metatype: String })).toBe('auth0|x');
  });
});
