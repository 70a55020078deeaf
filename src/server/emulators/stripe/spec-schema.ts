import path from "node:path";
import ts from "typescript";

/**
 * For the spec contract test only: JSON Schemas derived, at test time, from the TypeScript types that the installed
 * `stripe` SDK generates from Stripe's OpenAPI spec for its pinned API version (OPENAPI_VERSION). A property the
 * SDK types as always present (not `?`) is required, with the JSON types its declared type allows; nested objects
 * are checked the same way, to `depth`. Nothing vendor-authored is copied: the schema is computed from node_modules.
 */

export type JsonSchema = {
  type?: string[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: (string | number | boolean | null)[];
};

const ENTRY = `import Stripe from "stripe";\nexport type Target = Stripe;\n`;

let cached: { checker: ts.TypeChecker; source: ts.SourceFile } | undefined;

function program(): { checker: ts.TypeChecker; source: ts.SourceFile } {
  if (cached) return cached;
  const file = path.join(process.cwd(), "__stripe_spec_entry__.ts");
  const options: ts.CompilerOptions = {
    strict: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version) =>
    name === file ? ts.createSourceFile(file, ENTRY, version) : read(name, version);
  const prog = ts.createProgram([file], options, host);
  const source = prog.getSourceFile(file);
  if (!source) throw new Error("spec entry not created");
  cached = { checker: prog.getTypeChecker(), source };
  return cached;
}

/** `Checkout.Session`, `PaymentIntent`, `Event` …: a type under the SDK's `Stripe` namespace. */
export function schemaOf(typeName: string, depth = 2): JsonSchema {
  const { checker, source } = program();
  const stripeSymbol = checker.getSymbolsInScope(source, ts.SymbolFlags.Alias).find((s) => s.name === "Stripe");
  if (!stripeSymbol) throw new Error("Stripe import not found");
  let symbol: ts.Symbol | undefined = checker.getAliasedSymbol(stripeSymbol);
  for (const part of typeName.split(".")) {
    symbol = symbol ? checker.getExportsOfModule(symbol).find((s) => s.name === part) : undefined;
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  }
  if (!symbol) throw new Error(`Stripe.${typeName} not found in the SDK's types`);
  return toSchema(checker, checker.getDeclaredTypeOfSymbol(symbol), depth);
}

function toSchema(checker: ts.TypeChecker, type: ts.Type, depth: number): JsonSchema {
  const parts = type.isUnion() ? type.types : [type];
  const kinds = new Set<string>();
  const objects: ts.Type[] = [];
  const literals: (string | number | boolean | null)[] = [];
  let onlyLiterals = true;
  for (const t of parts) {
    if (t.flags & ts.TypeFlags.Null) {
      kinds.add("null");
      literals.push(null);
    } else if (t.flags & ts.TypeFlags.StringLiteral) {
      kinds.add("string");
      literals.push((t as ts.StringLiteralType).value);
    } else if (t.flags & ts.TypeFlags.NumberLiteral) {
      kinds.add("number");
      literals.push((t as ts.NumberLiteralType).value);
    } else if (t.flags & ts.TypeFlags.BooleanLiteral) {
      kinds.add("boolean");
      literals.push(checker.typeToString(t) === "true");
    } else if (t.flags & (ts.TypeFlags.String | ts.TypeFlags.TemplateLiteral)) {
      kinds.add("string");
      onlyLiterals = false;
    } else if (t.flags & ts.TypeFlags.Number) {
      kinds.add("number");
      onlyLiterals = false;
    } else if (t.flags & ts.TypeFlags.Boolean) {
      kinds.add("boolean");
      onlyLiterals = false;
    } else if (checker.isArrayType(t)) {
      kinds.add("array");
      onlyLiterals = false;
    } else if (t.flags & ts.TypeFlags.Object) {
      kinds.add("object");
      objects.push(t);
      onlyLiterals = false;
    } else {
      return {}; // any, unknown, generics: not constrained
    }
  }
  const schema: JsonSchema = { type: [...kinds] };
  // A closed set of literals (an enum such as `status`) is checked value by value.
  if (onlyLiterals && literals.length > 0) schema.enum = literals;
  if (objects.length === 1 && depth > 0 && kinds.size <= 2) {
    const object = objects[0] as ts.Type;
    const props = checker.getPropertiesOfType(object);
    // An index signature only (metadata: { [name: string]: string }) has no fixed keys.
    if (props.length > 0) {
      schema.properties = {};
      schema.required = [];
      for (const prop of props) {
        const declaration = prop.valueDeclaration ?? prop.declarations?.[0];
        if (!declaration) continue;
        const propType = checker.getTypeOfSymbolAtLocation(prop, declaration);
        if (!(prop.flags & ts.SymbolFlags.Optional)) schema.required.push(prop.name);
        schema.properties[prop.name] = toSchema(checker, propType, depth - 1);
      }
    }
  }
  if (objects.length > 1 && depth > 0) {
    // A union of object types (Stripe.Event is one per event type): the keys every member always has are required.
    const required = objects
      .map(
        (o) =>
          new Set(
            checker
              .getPropertiesOfType(o)
              .filter((p) => !(p.flags & ts.SymbolFlags.Optional))
              .map((p) => p.name),
          ),
      )
      .reduce((a, b) => new Set([...a].filter((k) => b.has(k))));
    schema.required = [...required];
    schema.properties = Object.fromEntries(schema.required.map((k) => [k, {}]));
  }
  if (kinds.has("array")) {
    const array = parts.find((t) => checker.isArrayType(t));
    const element = array ? checker.getTypeArguments(array as ts.TypeReference)[0] : undefined;
    if (element && depth > 0) schema.items = toSchema(checker, element, depth - 1);
  }
  return schema;
}
