/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type GenerateInput = {
  /** Images to generate, 1 to 8. Default 1. */
  count?: number | null | undefined;
  /** Pixels, 64 to 2048, a multiple of 8. Default 512. */
  height?: number | null | undefined;
  /** What to steer away from. Not screened (it names what the image must not contain); at most MAX_TEXT_LENGTH characters. */
  negativePrompt?: string | null | undefined;
  /** What to draw. Screened: see the Prompt scalar. */
  prompt: string;
  /** -1 (the default) for a random seed, else 0 to 2147483647. Ignored by OpenAI-style backends. */
  seed?: number | null | undefined;
  /** Sampler steps, 1 to 150. Default 20. Ignored by OpenAI-style backends. */
  steps?: number | null | undefined;
  /** Pixels, 64 to 2048, a multiple of 8. Default 512. */
  width?: number | null | undefined;
};

export type ImageAction =
  /** The image was judged unsafe and is returned heavily blurred (same dimensions, PNG). */
  | 'BLURRED'
  /** The image was judged safe, or unsafe under a policy that passes images (then `check.unsafe` is true). */
  | 'PASSED'
  /** No bytes: the image was judged unsafe under a WITHHOLD policy, or could not be checked (`check.checked` is false). `reason` says which. */
  | 'WITHHELD';

export type Outcome =
  /** Never returned by `generate`: a blocked prompt fails the field with UNSAFE_PROMPT. Listed so clients can share one enum with the audit log. */
  | 'BLOCKED'
  /** The prompt was unsafe and flagged: sent unchanged because the policy says FLAG. */
  | 'FLAGGED'
  /** The prompt was safe (or out of the policy's categories) and was sent unchanged. */
  | 'GENERATED'
  /** The prompt was unsafe and the backend received safe text instead (`sentPrompt`). */
  | 'REDIRECTED';

export type RedirectStrategy =
  /** Keep the prompt and change as few words as possible: the words that push the embedding outward are dropped or replaced by their nearest safe words until the prompt is inside the safe bound. Falls back to RETRIEVE when edits are not enough, and for images. */
  | 'EDIT'
  /** HySAC: move the embedding along the geodesic toward the origin to the safe bound, return the nearest safe-pool prompt whose entailment cone contains it. */
  | 'RETRIEVE';

export type ClassifyTextQueryVariables = Exact<{
  text: string;
}>;


export type ClassifyTextQuery = { classify: { checked: boolean, unsafe: boolean, score: number, distance: number, threshold: number, category: string | null, nearest: Array<{ text: string, category: string, distance: number }>, window: { index: number, count: number, start: number, end: number, text: string } | null } };

export type GenerateMutationVariables = Exact<{
  input: GenerateInput;
}>;


export type GenerateMutation = { generate: { outcome: Outcome, originalPrompt: string, sentPrompt: string | null, promptCheck: { unsafe: boolean, score: number, category: string | null }, sentCheck: { unsafe: boolean, score: number } | null, images: Array<{ action: ImageAction, reason: string | null, dataUrl: string | null, check: { checked: boolean, unsafe: boolean, score: number } }> } };

export type RedirectTextQueryVariables = Exact<{
  text: string;
  strategy?: RedirectStrategy | null | undefined;
}>;


export type RedirectTextQuery = { redirect: { output: string | null, redirected: boolean, strategy: RedirectStrategy, edits: Array<{ from: string, to: string | null }>, before: { unsafe: boolean, score: number, category: string | null }, after: { unsafe: boolean, score: number, distance: number } } };


export const ClassifyTextDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ClassifyText"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"text"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"classify"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"text"},"value":{"kind":"Variable","name":{"kind":"Name","value":"text"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"checked"}},{"kind":"Field","name":{"kind":"Name","value":"unsafe"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"distance"}},{"kind":"Field","name":{"kind":"Name","value":"threshold"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"nearest"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"distance"}}]}},{"kind":"Field","name":{"kind":"Name","value":"window"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}}]}}]}}]} as unknown as DocumentNode<ClassifyTextQuery, ClassifyTextQueryVariables>;
export const GenerateDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Generate"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"GenerateInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"generate"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"originalPrompt"}},{"kind":"Field","name":{"kind":"Name","value":"sentPrompt"}},{"kind":"Field","name":{"kind":"Name","value":"promptCheck"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"unsafe"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"category"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sentCheck"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"unsafe"}},{"kind":"Field","name":{"kind":"Name","value":"score"}}]}},{"kind":"Field","name":{"kind":"Name","value":"images"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"dataUrl"}},{"kind":"Field","name":{"kind":"Name","value":"check"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"checked"}},{"kind":"Field","name":{"kind":"Name","value":"unsafe"}},{"kind":"Field","name":{"kind":"Name","value":"score"}}]}}]}}]}}]}}]} as unknown as DocumentNode<GenerateMutation, GenerateMutationVariables>;
export const RedirectTextDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RedirectText"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"text"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"strategy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RedirectStrategy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"redirect"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"text"},"value":{"kind":"Variable","name":{"kind":"Name","value":"text"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"strategy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"strategy"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"output"}},{"kind":"Field","name":{"kind":"Name","value":"redirected"}},{"kind":"Field","name":{"kind":"Name","value":"strategy"}},{"kind":"Field","name":{"kind":"Name","value":"edits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}}]}},{"kind":"Field","name":{"kind":"Name","value":"before"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"unsafe"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"category"}}]}},{"kind":"Field","name":{"kind":"Name","value":"after"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"unsafe"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"distance"}}]}}]}}]}}]} as unknown as DocumentNode<RedirectTextQuery, RedirectTextQueryVariables>;