/** The client SDK's public face: sign statements, talk to an rxledger service, check receipts. */
export { createStatementSigner, type StatementSigner, type StatementSignerOptions, type SignOptions } from './statement-signer.js';
export { createReadSigner, type ReadSigner, type ReadSignerOptions } from './read-signer.js';
export { createLedgerClient, type LedgerClient, type LedgerClientOptions, type EntriesPage, type LogInfo, type CosignatureResult, type SubmitResult, type Receipt, type PrescriptionStatus } from './ledger-client.js';
export { verifyReceipt, accessCodeHash, pickupCodeHash } from './receipts.js';
export type { Alert, AlertKind, StatsRow, OversightAsOf, OversightStats, OversightStatsParams, OversightAlerts, OversightAlertsParams, OversightAlertSummary } from './oversight-types.js';
