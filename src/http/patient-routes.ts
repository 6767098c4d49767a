/**
 * POST /v1/patients: a prescriber's signed `patient.identify` statement with the patient's
 * identity record → `{ pseudonym, identityCommitment }` to put in the prescription it signs next.
 * Nothing is written to the ledger; the identity goes to the erasable identity store. Request
 * bodies are never logged.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { PatientService } from '../patients/patient-service.js';
import { useStrictJsonBodies } from './json-body.js';

export const patientRoutes: FastifyPluginAsync<{ patients: PatientService }> = async (app, { patients }) => {
  useStrictJsonBodies(app);
  app.post('/v1/patients', async (request, reply) => {
    const result = patients.identify(request.body);
    return reply.status(result.replayed ? 200 : 201).header('cache-control', 'no-store').send(result);
  });
};
