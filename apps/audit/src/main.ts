import 'reflect-metadata';
import { runAudit } from '@libs/audit';

void runAudit(process.argv.slice(2), { out: process.stdout, err: process.stderr }).then((code) => {
  process.exitCode = code;
});
