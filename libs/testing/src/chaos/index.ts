export { ChaosLedger, type IssuedAck, type LedgerSegment, type Operation } from './chaos-ledger';
export { jwtPayload } from './jwt-payload';
export { classifyOutcome, type Category, type ClassifyContext, type Outcome } from './response-outcome';
export { resultsTable } from './results-table';
export {
  columnCounts,
  passed,
  totalOf,
  VIOLATION_COLUMNS,
  violationsOf,
  type ScenarioResult,
  type ViolationColumn,
} from './scenario-result';
