// Builds the installable SDK package (sdk/ → sdk/dist/): one ES module with hono/client bundled in
// (the package has no dependencies) and .d.ts files that import nothing outside the package. The
// SDK's REST types are computed from the Worker's routes (sdk/types.ts: hc<AppType>), which an app
// cannot resolve (src/, workers-types); here the compiler expands them into plain object types.
// Run by `npm pack` / `npm publish` in sdk/ (prepack) and by the package test (test/scripts/sdk-package.test.ts).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as esbuild from "esbuild";
import ts from "typescript";

const root = path.resolve(import.meta.dirname, "..");
const sdk = path.join(root, "sdk");
const dist = path.join(sdk, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// 1. The module: neutral platform (browsers and Node 22 alike: global fetch and WebSocket), not minified.
await esbuild.build({
  entryPoints: [path.join(sdk, "index.ts")],
  outfile: path.join(dist, "index.js"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  legalComments: "inline",
  preserveSymlinks: true, // node_modules may be a symlink: name bundled files node_modules/…, not the real path
  logLevel: "warning",
});

// 2. Declarations of the SDK's own files, as tsc writes them.
const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, "tsconfig.web.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: fail });
const options = { ...parsed.options, noEmit: false, declaration: true, emitDeclarationOnly: true, outDir: dist, rootDir: sdk };
const program = ts.createProgram([path.join(sdk, "index.ts")], options);
const checker = program.getTypeChecker();
const declarations = new Map();
const write = (file, text) => declarations.set(path.basename(file), text);
// One file at a time, so only sdk/ is emitted (the checker still reads src/ for the route types).
for (const file of program.getSourceFiles()) {
  if (path.dirname(file.fileName) === sdk && !file.isDeclarationFile) program.emit(file, write, undefined, true);
}

// 3. types.d.ts: every alias of sdk/types.ts printed as the structure the compiler computed for it.
const typesFile = program.getSourceFile(path.join(sdk, "types.ts"));
const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.InTypeAlias | ts.TypeFormatFlags.UseStructuralFallback;
// hono's own names (ClientRequest, ClientResponse, ClientRequestOptions, JSONValue) resolve to package-types.d.ts.
const hcTypes = /import\("[^"]*\/hono\/dist\/types\/[^"]*"\)\./g;
let types = readFileSync(path.join(sdk, "package-types.d.ts"), "utf8");
for (const statement of typesFile.statements) {
  if (ts.isTypeAliasDeclaration(statement)) {
    const text = checker.typeToString(checker.getTypeAtLocation(statement.name), statement, flags).replace(hcTypes, "");
    const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ? "export " : "";
    types += `\n${exported}type ${statement.name.text} = ${text};\n`;
  } else if (ts.isInterfaceDeclaration(statement)) {
    types += `\n${statement.getFullText(typesFile).trim()}\n`;
  }
}
declarations.set("types.d.ts", types);

// Nothing may point outside the package: no src/, no hono, no workers-types.
for (const [name, text] of declarations) {
  const outside = [...text.matchAll(/(?:from |import\()"([^"]+)"/g)].map((m) => m[1]).filter((s) => !s.startsWith("./"));
  if (outside.length) fail(`sdk/dist/${name} imports ${[...new Set(outside)].join(", ")}`);
  // Node's ESM (and TypeScript's nodenext) wants the extension that the sources leave out.
  writeFileSync(path.join(dist, name), text.replace(/((?:from |import\()")(\.\/[\w-]+)"/g, '$1$2.js"'));
}
console.error(`build-sdk: sdk/dist/index.js and ${declarations.size} .d.ts files`);

function fail(message) {
  console.error(`build-sdk: ${typeof message === "string" ? message : ts.flattenDiagnosticMessageText(message.messageText, "\n")}`);
  process.exit(1);
}
