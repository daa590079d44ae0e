import { defineConfig } from "tsup"

export default defineConfig({
  // Invariants has its own entry: programs (sa-audit) use the checker without loading vitest.
  entry: ["src/index.ts", "src/Invariants.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  tsconfig: "tsconfig.build.json"
})
