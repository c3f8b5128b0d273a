/**
 * Unknown and mistyped fields in Kubernetes manifests, found by TypeScript's checker against kubernetes-types
 * (declarations generated from the Kubernetes OpenAPI spec). The OpenAPI schemas leave additionalProperties open,
 * so a JSON-schema validator accepts `readinesProbe:` and the probe silently never exists; the API server's
 * strict field validation (kubectl's default) refuses it. Here each manifest becomes an object literal assigned
 * to its kind's type, where an unknown property is an error (excess property check) at any depth.
 */
import * as path from 'node:path';
import ts from 'typescript';

/** apiVersion -> kubernetes-types module. */
function typesModule(apiVersion: string): string {
  return `kubernetes-types/${apiVersion.includes('/') ? apiVersion : `core/${apiVersion}`}`;
}

/** For each manifest, the checker's messages (empty when every field is known and well-typed). */
export function fieldErrors(docs: { apiVersion: string; kind: string }[]): string[][] {
  const dir = path.resolve(__dirname);
  const files = new Map<string, string>();
  docs.forEach((doc, i) => {
    files.set(path.join(dir, `__manifest_${i}.ts`), `import type { ${doc.kind} as Kind } from '${typesModule(doc.apiVersion)}';\nexport const manifest: Kind = ${JSON.stringify(doc, null, 2)};\n`);
  });
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, types: [], skipLibCheck: true };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (files.has(name) ? ts.createSourceFile(name, files.get(name)!, lang) : getSourceFile(name, lang, ...rest));
  host.fileExists = (name) => files.has(name) || fileExists(name);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  const program = ts.createProgram([...files.keys()], options, host);
  const out: string[][] = docs.map(() => []);
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const i = d.file ? [...files.keys()].indexOf(d.file.fileName) : -1;
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (i < 0) throw new Error(`kubernetes-types could not be checked: ${message}`);
    out[i].push(message);
  }
  return out;
}
