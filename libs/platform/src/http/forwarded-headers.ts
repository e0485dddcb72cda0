import type { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * Without `TRUST_PROXY` every limit keys on the socket's address; behind a proxy that is the proxy's, so
 * every caller shares one budget and a stranger's wrong secrets or passwords count against everyone (issue
 * 19, finding 4). A request carrying `X-Forwarded-For` or `Forwarded` says a proxy is there: logged once,
 * as an error, naming the variable to set. The headers are still ignored (believing them from anyone
 * would let each request pick its own address).
 */
export function warnOfUntrustedProxy(logger: Pick<Logger, 'error'>) {
  let warned = false;
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!warned && (req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined)) {
      warned = true;
      logger.error({
        msg: 'Requests arrive through a proxy (X-Forwarded-For or Forwarded) but TRUST_PROXY is not set: every limit counts the proxy’s address, so all its callers share one budget. Set TRUST_PROXY to the proxy (docs/operations.md).',
        event: 'untrusted_proxy_headers',
        remote_address: req.socket.remoteAddress,
      });
    }
    next();
  };
}
