import { defineConfig } from "tsup"

export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    tsconfig: "tsconfig.build.json"
  },
  {
    // The executable: ESM only, with its shebang; its dependencies stay imports.
    entry: ["src/bin.ts"],
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    tsconfig: "tsconfig.build.json",
    banner: { js: "#!/usr/bin/env node" }
  }
])
