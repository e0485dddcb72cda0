export { DelegationModule } from './delegation.module';
export { DELEGATION_OPENAPI } from './delegation.openapi';
