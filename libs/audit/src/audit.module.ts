import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { MessagingModule } from '@libs/messaging';
import type { AuditCommandType } from './cli/audit-command';
import { ReplayCommand } from './replay/replay.command';
import { RepublishCommand } from './republish/republish.command';
import { TrailCommand } from './trail/trail.command';
import { VerifyCommand } from './verify/verify.command';

/** Every `npm run audit -- <command>`, in the order `--help` lists them. */
export const COMMANDS: AuditCommandType[] = [ReplayCommand, VerifyCommand, TrailCommand, RepublishCommand];

/** The auditor's toolbox: read-only over the store and the live view; rebuilds only into its own tables. */
@Module({})
export class AuditModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AuditModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, MessagingModule.forRoot('audit')],
      providers: COMMANDS,
    };
  }
}
