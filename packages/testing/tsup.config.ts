import { defineConfig } from "tsup"

export default defineConfig({
  // Invariants keeps its own entry (`@service-accounts/testing/Invariants`): the checker itself is in the domain.
  entry: ["src/index.ts", "src/Invariants.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  tsconfig: "tsconfig.build.json"
})
