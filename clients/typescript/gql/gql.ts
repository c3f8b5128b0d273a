/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query ClassifyText($text: String!) {\n  classify(input: {text: $text}) {\n    checked\n    unsafe\n    score\n    distance\n    threshold\n    category\n    nearest {\n      text\n      category\n      distance\n    }\n    window {\n      index\n      count\n      start\n      end\n      text\n    }\n  }\n}": typeof types.ClassifyTextDocument,
    "mutation Generate($input: GenerateInput!) {\n  generate(input: $input) {\n    outcome\n    originalPrompt\n    sentPrompt\n    promptCheck {\n      unsafe\n      score\n      category\n    }\n    sentCheck {\n      unsafe\n      score\n    }\n    images {\n      action\n      reason\n      dataUrl\n      check {\n        checked\n        unsafe\n        score\n      }\n    }\n  }\n}": typeof types.GenerateDocument,
    "query RedirectText($text: String!, $strategy: RedirectStrategy) {\n  redirect(input: {text: $text, strategy: $strategy}) {\n    output\n    redirected\n    strategy\n    edits {\n      from\n      to\n    }\n    before {\n      unsafe\n      score\n      category\n    }\n    after {\n      unsafe\n      score\n      distance\n    }\n  }\n}": typeof types.RedirectTextDocument,
};
const documents: Documents = {
    "query ClassifyText($text: String!) {\n  classify(input: {text: $text}) {\n    checked\n    unsafe\n    score\n    distance\n    threshold\n    category\n    nearest {\n      text\n      category\n      distance\n    }\n    window {\n      index\n      count\n      start\n      end\n      text\n    }\n  }\n}": types.ClassifyTextDocument,
    "mutation Generate($input: GenerateInput!) {\n  generate(input: $input) {\n    outcome\n    originalPrompt\n    sentPrompt\n    promptCheck {\n      unsafe\n      score\n      category\n    }\n    sentCheck {\n      unsafe\n      score\n    }\n    images {\n      action\n      reason\n      dataUrl\n      check {\n        checked\n        unsafe\n        score\n      }\n    }\n  }\n}": types.GenerateDocument,
    "query RedirectText($text: String!, $strategy: RedirectStrategy) {\n  redirect(input: {text: $text, strategy: $strategy}) {\n    output\n    redirected\n    strategy\n    edits {\n      from\n      to\n    }\n    before {\n      unsafe\n      score\n      category\n    }\n    after {\n      unsafe\n      score\n      distance\n    }\n  }\n}": types.RedirectTextDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ClassifyText($text: String!) {\n  classify(input: {text: $text}) {\n    checked\n    unsafe\n    score\n    distance\n    threshold\n    category\n    nearest {\n      text\n      category\n      distance\n    }\n    window {\n      index\n      count\n      start\n      end\n      text\n    }\n  }\n}"): (typeof documents)["query ClassifyText($text: String!) {\n  classify(input: {text: $text}) {\n    checked\n    unsafe\n    score\n    distance\n    threshold\n    category\n    nearest {\n      text\n      category\n      distance\n    }\n    window {\n      index\n      count\n      start\n      end\n      text\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Generate($input: GenerateInput!) {\n  generate(input: $input) {\n    outcome\n    originalPrompt\n    sentPrompt\n    promptCheck {\n      unsafe\n      score\n      category\n    }\n    sentCheck {\n      unsafe\n      score\n    }\n    images {\n      action\n      reason\n      dataUrl\n      check {\n        checked\n        unsafe\n        score\n      }\n    }\n  }\n}"): (typeof documents)["mutation Generate($input: GenerateInput!) {\n  generate(input: $input) {\n    outcome\n    originalPrompt\n    sentPrompt\n    promptCheck {\n      unsafe\n      score\n      category\n    }\n    sentCheck {\n      unsafe\n      score\n    }\n    images {\n      action\n      reason\n      dataUrl\n      check {\n        checked\n        unsafe\n        score\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query RedirectText($text: String!, $strategy: RedirectStrategy) {\n  redirect(input: {text: $text, strategy: $strategy}) {\n    output\n    redirected\n    strategy\n    edits {\n      from\n      to\n    }\n    before {\n      unsafe\n      score\n      category\n    }\n    after {\n      unsafe\n      score\n      distance\n    }\n  }\n}"): (typeof documents)["query RedirectText($text: String!, $strategy: RedirectStrategy) {\n  redirect(input: {text: $text, strategy: $strategy}) {\n    output\n    redirected\n    strategy\n    edits {\n      from\n      to\n    }\n    before {\n      unsafe\n      score\n      category\n    }\n    after {\n      unsafe\n      score\n      distance\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;