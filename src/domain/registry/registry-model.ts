/**
 * The registry's vocabulary: institutions, actors, roles, prescribing privileges and actor keys,
 * and the payloads of the statements that change them. Every change is a statement signed by an
 * operator and recorded in the ledger (see registry-rules.ts).
 */
import { z } from 'zod';
import { decodeBase64 } from '../../core/bytes.js';
import { isAcceptablePublicKey } from '../../core/ed25519.js';
import { ActorIdSchema, KeyIdSchema } from '../../core/statement.js';

export const INSTITUTION_KINDS = ['hospital', 'primary-clinic', 'internet-hospital', 'pharmacy', 'delivery-company', 'regulator'] as const;
export type InstitutionKind = (typeof INSTITUTION_KINDS)[number];

export const ROLES = ['prescriber', 'pharmacist', 'courier', 'regulator', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** Which institutions an actor of each role can belong to (operators belong to none). */
export const ROLE_INSTITUTIONS: Readonly<Record<Role, readonly InstitutionKind[]>> = {
  prescriber: ['hospital', 'primary-clinic', 'internet-hospital'],
  pharmacist: ['pharmacy'],
  courier: ['delivery-company'],
  regulator: ['regulator'],
  operator: [],
};

/** 抗菌药物分级: 非限制使用级 / 限制使用级 / 特殊使用级; `none` means no antimicrobial privilege. */
export const ANTIMICROBIAL_GRADES = ['none', 'non-restricted', 'restricted', 'special'] as const;

export const InstitutionIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'lowercase letters, digits and hyphens, 3 to 64');
/** 6-digit administrative division code (GB/T 2260), e.g. 370100 for 济南市. */
export const RegionSchema = z.string().regex(/^[1-9][0-9]{5}$/, 'a 6-digit administrative division code');
const Text = (max: number) => z.string().min(1).max(max).refine((s) => s.isWellFormed() && !/[\u0000-\u001f]/.test(s), 'no control characters');

export const PrivilegesSchema = z.strictObject({
  narcotic: z.boolean(),
  psychotropicI: z.boolean(),
  psychotropicII: z.boolean(),
  antimicrobialGrade: z.enum(ANTIMICROBIAL_GRADES),
});
export type Privileges = z.infer<typeof PrivilegesSchema>;

export const PublicKeySchema = z.string().refine((s) => {
  try {
    return isAcceptablePublicKey(decodeBase64(s));
  } catch {
    return false;
  }
}, 'must be the base64 of a canonical, torsion-free Ed25519 public key of full order');

export const InstitutionRegisterPayload = z
  .strictObject({
    institutionId: InstitutionIdSchema,
    kind: z.enum(INSTITUTION_KINDS),
    name: Text(128),
    region: RegionSchema,
    licence: Text(64),
    /** Pharmacies only: whether it delivers to patients' homes. */
    delivers: z.boolean().optional(),
  })
  .refine((p) => (p.kind === 'pharmacy') === (p.delivers !== undefined), { message: 'delivers is required for pharmacies and only for them', path: ['delivers'] });

export const ActorRegisterPayload = z
  .strictObject({
    actorId: ActorIdSchema,
    role: z.enum(ROLES),
    institutionId: InstitutionIdSchema.optional(),
    /** Professional name, as on a licence; actors are professionals, never patients. */
    name: Text(64),
    licence: Text(64).optional(),
    title: Text(64).optional(),
    department: Text(64).optional(),
    region: RegionSchema.optional(),
    privileges: PrivilegesSchema.optional(),
  })
  .refine((p) => (p.role === 'operator') === (p.institutionId === undefined), { message: 'operators belong to no institution; every other role to one', path: ['institutionId'] })
  .refine((p) => (p.role === 'prescriber') === (p.privileges !== undefined), { message: 'privileges are required for prescribers and only for them', path: ['privileges'] })
  .refine((p) => p.role !== 'prescriber' || (p.licence !== undefined && p.title !== undefined && p.department !== undefined), {
    message: 'prescribers need licence, title and department',
    path: ['licence'],
  });

export const ActorStatusPayload = z.strictObject({ actorId: ActorIdSchema, reason: Text(256) });

export const KeyAddPayload = z
  .strictObject({
    actorId: ActorIdSchema,
    publicKey: PublicKeySchema,
    notBefore: z.number().int().min(0),
    notAfter: z.number().int().min(0).optional(),
  })
  .refine((p) => p.notAfter === undefined || p.notAfter > p.notBefore, { message: 'notAfter must be after notBefore', path: ['notAfter'] });

export const KEY_REVOCATION_REASONS = ['compromised', 'superseded', 'left-institution', 'other'] as const;
export const KeyRevokePayload = z.strictObject({
  actorId: ActorIdSchema,
  keyId: KeyIdSchema,
  reason: z.enum(KEY_REVOCATION_REASONS),
  detail: Text(256).optional(),
});

/** The operator key created on first start; written only by the ledger itself. */
export const GenesisOperatorPayload = z.strictObject({ actorId: ActorIdSchema, publicKey: PublicKeySchema, notBefore: z.number().int().min(0) });

export const REGISTRY_PAYLOADS = {
  'registry.genesis-operator': GenesisOperatorPayload,
  'registry.institution-register': InstitutionRegisterPayload,
  'registry.actor-register': ActorRegisterPayload,
  'registry.actor-suspend': ActorStatusPayload,
  'registry.actor-reinstate': ActorStatusPayload,
  'registry.key-add': KeyAddPayload,
  'registry.key-revoke': KeyRevokePayload,
} as const;
export type RegistryAction = keyof typeof REGISTRY_PAYLOADS;
