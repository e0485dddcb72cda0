import { Module } from '@nestjs/common';

/** Management API v2: applications (clients), users, signing keys. */
@Module({})
export class ManagementModule {}
