/**
 * API keys: when the policy file lists `apiKeys`, every GraphQL and drop-in request needs
 * `Authorization: Bearer <key>` and runs under that key's policy; otherwise every request runs under the
 * top-level policy. Keys are compared by sha256, so the process never keeps them in a lookup table.
 */
import { hashApiKey, type PolicySet, type Tenant } from '../safety/policy-file';

export type AuthResult = { ok: true; tenant: Tenant } | { ok: false; message: string };
export type Authenticate = (authorization: string | undefined) => AuthResult;

export function createAuthenticator(policies: PolicySet): Authenticate {
  if (policies.keys.size === 0) {
    const everyone: AuthResult = { ok: true, tenant: Object.freeze({ name: null, policy: policies.default }) };
    return () => everyone;
  }
  const allowed = 'allowed: the header `Authorization: Bearer <API key>` with a key from the policy file (apiKeys)';
  return (header) => {
    if (!header) return { ok: false, message: `this gateway requires an API key and the request has no Authorization header; ${allowed}` };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return { ok: false, message: `the Authorization header is not "Bearer <key>"; ${allowed}` };
    const tenant = policies.keys.get(hashApiKey(m[1]));
    if (!tenant) return { ok: false, message: `the API key is not known to this gateway; ${allowed}` };
    return { ok: true, tenant };
  };
}
