// Writes scenarios/scenario.schema.json (JSON Schema of the scenario format) from the zod schema,
// so editors can validate and complete scenario files. Run: npm run schema
import { writeFileSync } from "node:fs";
import { z } from "zod";
import { scenarioSchema } from "../sim/scenario/scenario-schema.js";

const schema = z.toJSONSchema(scenarioSchema, { io: "input", unrepresentable: "any" });
writeFileSync("scenarios/scenario.schema.json", `${JSON.stringify({ title: "locksim scenario", ...schema }, null, 2)}\n`);
process.stdout.write("wrote scenarios/scenario.schema.json\n");
