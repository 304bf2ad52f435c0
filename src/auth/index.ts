/**
 * @module auth
 * Authentication, authorisation and the audit log of `lathe server --auth`: users and admins,
 * MLflow's permission levels per experiment and registered model, HTTP Basic and bearer tokens,
 * and the response hardening every server applies.
 */
export { type AdminCredentials, ensureAdmin } from "./bootstrap.js";
export { type AuthenticatorOptions, CHALLENGE, type Principal } from "./credentials.js";
export { type HardeningOptions, installHardening, parseAllowedOrigins } from "./hardening.js";
export { type AuthSetup, installAuth, type MountedRoute, mountedRoutes, principalOf } from "./install.js";
export { hashPassword, MIN_PASSWORD_LENGTH, validatePassword, verifyPassword } from "./password.js";
export { type Capability, PERMISSIONS, type Permission, parsePermission } from "./permissions.js";
export { aliasResolver, ENDPOINT_RULES, LATHE_RULES, type Rule, ruleFor } from "./rules.js";
export { SqlAuthStore } from "./sql-store.js";
export type { AuthStore, AuthUser } from "./store.js";
