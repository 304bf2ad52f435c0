/**
 * @module auth/permissions
 * MLflow's permission levels (reference/mlflow.md §7, basic-auth app) and what each allows:
 * NO_PERMISSIONS nothing, READ reads, USE reads and uses, EDIT also updates, MANAGE also deletes
 * and grants. Admins bypass every check.
 */
import { invalidParameter } from "../core/errors.js";

export const PERMISSIONS = ["NO_PERMISSIONS", "READ", "USE", "EDIT", "MANAGE"] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** What a request needs on its resource. */
export type Capability = "read" | "use" | "update" | "delete" | "manage";

const GRANTS: Record<Permission, readonly Capability[]> = {
  NO_PERMISSIONS: [],
  READ: ["read"],
  USE: ["read", "use"],
  EDIT: ["read", "use", "update"],
  MANAGE: ["read", "use", "update", "delete", "manage"],
};

/** Whether `permission` allows `capability`. */
export function allows(permission: Permission, capability: Capability): boolean {
  return GRANTS[permission].includes(capability);
}

/** A permission name as a client sent it (any case), or a 400 listing the accepted names. */
export function parsePermission(value: string, what = "permission"): Permission {
  const upper = value.trim().toUpperCase();
  if (!(PERMISSIONS as readonly string[]).includes(upper)) {
    throw invalidParameter(`Invalid ${what} '${value.slice(0, 40)}': use one of ${PERMISSIONS.join(", ")}.`);
  }
  return upper as Permission;
}

/**
 * The key an experiment's permission rows use. The store reads "05" as experiment 5, so ids are
 * compared in their canonical decimal form: a row for "5" must also govern a request for "05".
 */
export function canonicalExperimentId(id: string): string {
  return /^\d{1,15}$/.test(id) ? String(Number(id)) : id;
}
