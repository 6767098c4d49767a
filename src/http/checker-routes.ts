/**
 * The checker for prescribers' systems and for auditors:
 *   GET  /v1/rulesets/active   the active rule set: hash, name, version, engine, policy, counts
 *   GET  /v1/rulesets/:hash    a stored bundle's exact bytes (RFC 8785 JSON), to re-run checks
 *   POST /v1/checks            a dry run: the check a submission would get now, nothing recorded
 * The rule-set reads are public, like checkpoints: the knowledge is what every check result in the
 * log commits to. A dry run is a signed request by the prescriber named in the prescription, since
 * its findings reflect the patient's other live prescriptions.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { RxError } from '../core/errors.js';
import { activeChecker, type RuleSetLibrary } from '../domain/checker/rule-set-activation.js';
import { ruleCounts, type KnowledgeRuleSet } from '../domain/checker/knowledge-rule-set.js';
import { checkPrescription } from '../domain/prescription/lifecycle-records.js';
import type { StateView } from '../domain/prescription/rule-support.js';
import { Hex256Schema, PrescriptionSchema } from '../../schemas/prescription.js';
import type { RuleSetStore } from '../store/rule-set-store.js';
import { parseRequestPart } from './parse-request.js';
import { useStrictJsonBodies } from './json-body.js';
import type { ReadAuthenticator } from './read-auth.js';

export interface CheckerRoutesOptions {
  readonly readAuth: ReadAuthenticator;
  readonly state: StateView;
  readonly ruleSets: RuleSetLibrary;
  readonly bundles: Pick<RuleSetStore, 'bundle'>;
  readonly clock?: () => number;
}

export const CheckRequestSchema = z.strictObject({ prescription: PrescriptionSchema });

export const checkerRoutes: FastifyPluginAsync<CheckerRoutesOptions> = async (app, options) => {
  useStrictJsonBodies(app);
  const { readAuth, state, ruleSets, bundles } = options;
  const clock = options.clock ?? Date.now;

  app.get('/v1/rulesets/active', async () => {
    const active = state.activeRuleSet();
    const ruleSet = active === undefined ? undefined : (ruleSets.get(active.hash) as KnowledgeRuleSet | undefined);
    if (active === undefined || ruleSet === undefined) throw new RxError('RX_NO_RULE_SET', 'no rule set has been activated in this log');
    const b = ruleSet.compiled.bundle;
    return { hash: ruleSet.hash, name: b.name, version: b.version, engine: b.engine, policy: active.policy, counts: ruleCounts(ruleSet.compiled) };
  });

  app.get('/v1/rulesets/:hash', async (request, reply) => {
    const { hash } = parseRequestPart(z.strictObject({ hash: Hex256Schema }), request.params, 'params');
    const bytes = bundles.bundle(hash);
    if (bytes === undefined) throw new RxError('RULE_SET_UNKNOWN', 'no bundle with this hash is held', { paths: ['params.hash'] });
    // The stored bytes themselves, not a re-serialisation: their hash is the rule set's version.
    return reply.type('application/json').header('cache-control', 'public, max-age=31536000, immutable').send(Buffer.from(bytes));
  });

  app.post('/v1/checks', async (request) => {
    const reader = readAuth.authenticate(request);
    const { prescription } = parseRequestPart(CheckRequestSchema, request.body, 'body');
    if (reader.role !== 'prescriber' || reader.actorId !== prescription.prescriberId) {
      throw new RxError('AUTH_ROLE_FORBIDDEN', 'a dry run is made by the prescriber the prescription names', { paths: ['body.prescription.prescriberId'] });
    }
    if (reader.institutionId !== prescription.institutionId) {
      throw new RxError('AUTH_ROLE_FORBIDDEN', 'a dry run is for a prescription of the prescriber’s own institution', { paths: ['body.prescription.institutionId'] });
    }
    const result = checkPrescription(state, prescription, clock(), activeChecker(state, ruleSets));
    // Findings reflect the patient's other prescriptions, and nothing is recorded: who asked is logged (ids only).
    request.log.info({ actorId: reader.actorId, findings: result.findings.length }, 'dry-run check');
    return { recorded: false, ...result };
  });
};
