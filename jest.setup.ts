import { Logger } from '@nestjs/common';

// Tests provoke errors on purpose; keep their log lines out of the report unless asked for.
if (!process.env.TEST_LOGS) Logger.overrideLogger(false);
