import type { CommandBus } from '@nestjs/cqrs';
import type { AppConfig } from '@libs/config';
import { RevokeCredentials } from '@libs/credentials';
import type { SecretKeys } from '@libs/security';
import type { Client, ClientCache, ClientRepository, ClientSecrets } from '@libs/tenants';
import { ManagementApiError } from '../errors/management-api.error';
import type { ClientOriginIndex } from './client-origin-index';
import { ClientsService } from './clients.service';

const CALLER = { actor: 'mgmt@clients', correlationId: 'req-1' };

/** A service over in-memory fakes; `steps` records the order of revocations and deletes. */
function setup(options: { failDeleteOnce?: boolean } = {}) {
  const steps: string[] = [];
  const stored = new Set(['app-1', 'bootstrap']);
  let failDelete = options.failDeleteOnce ?? false;
  const clients = {
    findById: jest.fn(async (id: string) => (stored.has(id) ? ({ clientId: id } as Client) : null)),
    delete: jest.fn(async (id: string) => {
      if (failDelete) {
        failDelete = false;
        throw new Error('connection lost');
      }
      steps.push(`delete ${id}`);
      return stored.delete(id);
    }),
  };
  const commands = {
    execute: jest.fn(async (command: RevokeCredentials) => {
      steps.push(`revoke ${JSON.stringify(command.scope)} ${command.reason}`);
      return 0;
    }),
  };
  const service = new ClientsService(
    clients as unknown as ClientRepository,
    { invalidate: jest.fn() } as unknown as ClientOriginIndex,
    {} as SecretKeys,
    {} as ClientSecrets,
    { forget: jest.fn() } as unknown as ClientCache,
    commands as unknown as CommandBus,
    { managementClient: { clientId: 'bootstrap', clientSecret: 's' } } as AppConfig,
  );
  return { service, steps, stored, commands };
}

describe('issue 20 point 9: ClientsService.deleteClient', () => {
  it('revokes the client’s credentials (client_deleted) before deleting it, and sweeps once more after', async () => {
    const { service, steps, commands } = setup();
    await service.deleteClient('app-1', CALLER);
    expect(steps).toEqual([
      'revoke {"clientId":"app-1"} client_deleted',
      'delete app-1',
      'revoke {"clientId":"app-1"} client_deleted',
    ]);
    expect(commands.execute.mock.calls[0][0]).toMatchObject({
      actor: 'mgmt@clients',
      correlationId: 'req-1',
    });
  });

  it('leaves a retry able to finish when the delete fails after the revocations', async () => {
    const { service, steps, stored } = setup({ failDeleteOnce: true });
    await expect(service.deleteClient('app-1', CALLER)).rejects.toThrow('connection lost');
    expect(stored.has('app-1')).toBe(true);
    await service.deleteClient('app-1', CALLER);
    expect(stored.has('app-1')).toBe(false);
    expect(steps.filter((s) => s.startsWith('delete'))).toEqual(['delete app-1']);
  });

  it('refuses the bootstrap client and an unknown one without revoking anything', async () => {
    const { service, commands } = setup();
    await expect(service.deleteClient('bootstrap', CALLER)).rejects.toMatchObject({
      code: 'operation_not_supported',
    });
    await expect(service.deleteClient('nobody', CALLER)).rejects.toBeInstanceOf(ManagementApiError);
    expect(commands.execute).not.toHaveBeenCalled();
  });
});
