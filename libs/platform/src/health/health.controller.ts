import { Controller, Get, HttpCode, Inject, Optional, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { API_TAGS } from '../openapi/openapi-document';
import { AdmissionControl } from '../overload/admission-control';
import { ApiLiveness, ApiReadiness } from './health.openapi';
import { READINESS_CHECKS, ReadinessCheck } from './readiness-check';

type CheckResult = { status: 'up' } | { status: 'down'; error: string };

/**
 * Liveness (`/health`) and readiness (`/health/ready`: every dependency answers). A process shedding
 * load stays live and ready (200, `status: "degraded"`, with its admission figures): taking an overloaded
 * instance out of rotation would only push its load onto the others.
 */
@ApiTags(API_TAGS.operations)
@Controller('health')
export class HealthController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Optional() private readonly admission?: AdmissionControl,
  ) {}

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
    const overload = this.admission?.status();
    const status = down.length > 0 ? 'unavailable' : overload?.shedding ? 'degraded' : 'ok';
    return { status, down, checks: Object.fromEntries(results), ...(overload && { overload }) };
  }
}
