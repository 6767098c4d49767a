/** The client SDK's public face: sign statements and talk to an rxledger service. */
export { createStatementSigner, type StatementSigner, type StatementSignerOptions, type SignOptions } from './statement-signer.js';
export { createReadSigner, type ReadSigner, type ReadSignerOptions } from './read-signer.js';
export { createLedgerClient, type LedgerClient, type LedgerClientOptions, type EntriesPage, type LogInfo, type SubmitResult } from './ledger-client.js';
