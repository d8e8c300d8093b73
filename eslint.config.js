// Lint rules. Beyond the recommended sets, the determinism rule of design.md §2 is enforced
// statically: code in sim/ and src/ (except the real adapters) may not read the real clock,
// real randomness or real timers. The runtime guard (sim/determinism-guard.ts) catches the rest.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const banned = [
  { object: "Math", property: "random", message: "Use the Random port (env.random) or the world's PRNG." },
  { object: "Date", property: "now", message: "Use the Clock port (clock.nowMs())." },
  { object: "performance", property: "now", message: "Use the Clock port (clock.nowMs())." },
];
const bannedGlobals = ["setTimeout", "setInterval", "setImmediate"].map((name) => ({
  name,
  message: "Use the Clock port (clock.sleepMs()); real timers break determinism.",
}));

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // Size rules (design.md §3): one concept per file, functions that fit on a screen. Blank lines
  // and comments do not count: a well-explained function is not a long one.
  {
    files: ["sim/**/*.ts", "src/**/*.ts", "replay/**/*.ts", "properties/**/*.ts", "cli/**/*.ts"],
    rules: {
      "max-lines": ["error", { max: 300, skipBlankLines: true, skipComments: true }],
      "max-lines-per-function": ["error", { max: 70, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ["sim/**/*.ts", "src/**/*.ts"],
    ignores: ["src/real/**", "sim/determinism-guard.ts", "src/cli/**"],
    rules: {
      "no-restricted-properties": ["error", ...banned],
      "no-restricted-globals": ["error", ...bannedGlobals],
      "no-restricted-syntax": [
        "error",
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "new Date() reads the real clock; use the Clock port." },
      ],
    },
  },
);
