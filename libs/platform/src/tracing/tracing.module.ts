import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { TracingMiddleware } from './tracing.middleware';

/** A server span around every HTTP request of the process that imports it (see `TracingMiddleware`). */
@Module({ providers: [TracingMiddleware] })
export class TracingModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(TracingMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
