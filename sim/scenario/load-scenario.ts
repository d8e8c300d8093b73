import { readFile } from "node:fs/promises";
import { InputError } from "../../src/errors.js";
import { scenarioSchema, type Scenario } from "./scenario-schema.js";

function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "") || "(top level)";
}

/**
 * Zod's message as "what was expected", without what it saw (said after "found"): "number,
 * received string" is "number"; "int" is "a whole number"; an unknown fault type names the types,
 * and is found as the object's `type`, not the whole object.
 */
function plainIssue(message: string, input: unknown, path: PropertyKey[]): { expected: string; input: unknown } {
  const discriminator = /^Invalid discriminator value\. Expected (.*)$/.exec(message);
  if (discriminator) {
    const value = input !== null && typeof input === "object" && path.at(-1) !== undefined ? (input as Record<PropertyKey, unknown>)[path.at(-1)!] : input;
    return { expected: `one of ${discriminator[1]!.replaceAll("'", "").split(" | ").join(", ")}`, input: value };
  }
  const expected = message.replace(/^(Invalid input|Too small|Too big|Invalid option): (expected )?/, "").replace(/, received \w+$/, "");
  return { expected: expected === "int" ? "a whole number" : expected, input };
}

/** Validates parsed JSON as a scenario; `source` names the file in errors. */
export function parseScenario(data: unknown, source: string): Scenario {
  const result = scenarioSchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 8).map((issue) => {
    const field = fieldPath(issue.path);
    if (issue.code === "unrecognized_keys") return `  ${source}: field ${field}: expected only the documented fields; found unknown field(s) ${issue.keys.join(", ")}`;
    const { expected, input } = plainIssue(issue.message, issue.input, issue.path);
    return `  ${source}: field ${field}: expected ${expected}; found ${describeValue(input)}`;
  });
  throw new InputError(`invalid scenario ${source}:\n${lines.join("\n")}`, { source, issues: result.error.issues.length });
}

/** Reads and validates a scenario file; every problem becomes an InputError naming file and field. */
export async function loadScenario(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InputError(`cannot read scenario ${path}: ${error instanceof Error ? error.message : String(error)}`, { source: path });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(`scenario ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { source: path });
  }
  return parseScenario(data, path);
}
