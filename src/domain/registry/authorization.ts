/**
 * Who may do what: the one place where roles meet actions. Ownership rules (a pharmacist acts only
 * for their own pharmacy, a courier only on their own deliveries) are added here by the
 * capabilities that introduce those actions. docs/AUTH.md shows this matrix as a table.
 */
import type { Role } from './registry-model.js';

export const ACTION_ROLES: Readonly<Record<string, readonly Role[]>> = {
  'registry.institution-register': ['operator'],
  'registry.actor-register': ['operator'],
  'registry.actor-suspend': ['operator'],
  'registry.actor-reinstate': ['operator'],
  'registry.key-add': ['operator'],
  'registry.key-revoke': ['operator'],
  // Written by the ledger itself at first start; no actor may submit it.
  'registry.genesis-operator': [],
};

export function isAllowed(role: Role, action: string): boolean {
  return Object.hasOwn(ACTION_ROLES, action) && (ACTION_ROLES[action] as readonly Role[]).includes(role);
}
