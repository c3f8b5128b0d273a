/**
 * A typed GraphQL call for frontends and scripts (browser or Node 18+, global fetch): pass one of the
 * generated documents (./gql/graphql.ts, from ./operations/*.graphql) and its variables and result are
 * type-checked against the gateway's schema. Errors come back as GatewayRequestError with the gateway's
 * stable codes (extensions.code), e.g. UNSAFE_PROMPT for a blocked prompt.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface GatewayErrorEntry {
  message: string;
  extensions?: { code?: string } & Record<string, unknown>;
}

export class GatewayRequestError extends Error {
  /** extensions.code of each error, in order (`INTERNAL_SERVER_ERROR` where one has none). */
  readonly codes: string[];
  constructor(
    readonly status: number,
    readonly errors: GatewayErrorEntry[],
  ) {
    super(errors.map((e) => `${e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'}: ${e.message}`).join('; ') || `HTTP ${status} without data`);
    this.codes = errors.map((e) => e.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  }
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <key>` (needed when the gateway's policy file lists API keys). */
  apiKey?: string;
  signal?: AbortSignal;
}

/** POSTs `document` with `variables` to `endpoint` (e.g. http://127.0.0.1:4000/graphql) and returns its typed data. */
export async function request<Result, Variables>(endpoint: string, document: TypedDocumentNode<Result, Variables>, variables: Variables, options: RequestOptions = {}): Promise<Result> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
    signal: options.signal,
  });
  const body = (await res.json()) as { data?: Result | null; errors?: GatewayErrorEntry[] };
  if (body.errors?.length || !body.data) throw new GatewayRequestError(res.status, body.errors ?? []);
  return body.data;
}
