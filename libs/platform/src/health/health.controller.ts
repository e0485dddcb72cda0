import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { API_TAGS } from '../openapi/openapi-document';
import { ApiLiveness, ApiReadiness } from './health.openapi';
import { READINESS_CHECKS, ReadinessCheck } from './readiness-check';

type CheckResult = { status: 'up' } | { status: 'down'; error: string };

/** Liveness (`/health`) and readiness (`/health/ready`: every dependency answers). */
@ApiTags(API_TAGS.operations)
@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  @Get()
  @HttpCode(200)
  @ApiLiveness()
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiReadiness()
  async ready(@Res({ passthrough: true }) res: Response) {
    const results = await Promise.all(
      this.checks.map(async (c): Promise<[string, CheckResult]> => {
        try {
          await c.check();
          return [c.name, { status: 'up' }];
        } catch (error) {
          return [c.name, { status: 'down', error: error instanceof Error ? error.message : String(error) }];
        }
      }),
    );
    const down = results.filter(([, r]) => r.status === 'down').map(([name]) => name);
    res.status(down.length === 0 ? 200 : 503);
    if (down.length > 0) res.setHeader('Retry-After', '5');
    return { status: down.length === 0 ? 'ok' : 'unavailable', down, checks: Object.fromEntries(results) };
  }
}
