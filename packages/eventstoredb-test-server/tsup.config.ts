import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  tsconfig: "tsconfig.build.json",
  // `import.meta.url` (used to find the client's generated modules) needs a shim in the CommonJS build.
  shims: true
})
