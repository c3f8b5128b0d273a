/**
 * The backend as one request sees it (main.ts wraps the configured backend per request): a failure is
 * reported with everything the backend said to the plugins (the audit plugin logs it under the request
 * id), and the client gets the same code with a message that names the failure kind and HTTP status and
 * points at the log by request id. What a backend says (its error page, a traceback, file paths) thus
 * never reaches a client, in production or not, whichever route (GraphQL or a drop-in) asked.
 */
import { GatewayError } from '../errors';
import { BackendCode, BackendError, type BackendKind, type DiffusionBackend, type GenerateRequest } from './backend';

export interface BackendFailureEvent {
  requestId: string;
  /** API key name, or null when no keys are configured. */
  tenant: string | null;
  policy: string;
  backend: BackendKind;
  code: string;
  /** The backend's HTTP status, when it answered. */
  status: number | null;
  /** The message the client received. */
  message: string;
  /** What the backend said (bounded), or the network error; null when nothing. */
  detail: string | null;
  /** The texts the backend was sent: a backend may echo them in `detail` (audit redacts them unless AUDIT_PROMPTS=TEXT). */
  texts: string[];
}

export interface RequestScopeForBackend {
  requestId: string;
  tenant: string | null;
  policy: string;
}

const CODES = new Set<string>(Object.values(BackendCode));

/** Strings inside a native body (hr_prompt, a ComfyUI workflow's texts), for redaction. */
function textsOf(v: unknown, out: string[], depth = 0): string[] {
  if (typeof v === 'string' && v.length >= 4) out.push(v);
  else if (v && typeof v === 'object' && depth < 6) for (const x of Object.values(v)) textsOf(x, out, depth + 1);
  return out;
}

export function reportingBackend(backend: DiffusionBackend, scope: RequestScopeForBackend, report: (e: BackendFailureEvent) => void): DiffusionBackend {
  return {
    kind: backend.kind,
    url: backend.url,
    async generate(req: GenerateRequest) {
      try {
        return await backend.generate(req);
      } catch (e) {
        if (!(e instanceof GatewayError) || !CODES.has(e.code)) throw e;
        const status = e instanceof BackendError ? e.status : null;
        const detail = e instanceof BackendError ? e.detail : null;
        const message = `${e.message}; details are in the gateway's log under request id ${scope.requestId}`;
        const texts = [req.prompt, ...(req.negativePrompt ? [req.negativePrompt] : []), ...textsOf(req.native?.body, [])];
        try {
          report({ ...scope, backend: backend.kind, code: e.code, status, message, detail, texts });
        } catch {
          // Reporting must not change what the client is told; main.ts logs a failing plugin itself.
        }
        throw new BackendError(e.code, message, { status, detail, cause: e });
      }
    },
  };
}
