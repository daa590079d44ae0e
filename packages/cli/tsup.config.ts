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
    // The executable: ESM only, with its shebang, and one file — its dependencies bundled in: resolving and loading
    // the hundreds of modules of effect and @effect/* took 0.3 s of every run (bench/src/audit.ts). Only the
    // EventStoreDB adapter (with its gRPC client) stays a separate package, loaded when a command uses a server.
    // `require` is there for the CommonJS modules bundled in.
    entry: ["src/bin.ts"],
    format: ["esm"],
    // A map of everything bundled would be four times the bundle, in every install.
    sourcemap: false,
    target: "node20",
    tsconfig: "tsconfig.build.json",
    noExternal: [/^(?!@service-accounts\/store-eventstoredb$)/],
    external: ["@service-accounts/store-eventstoredb"],
    banner: {
      js: '#!/usr/bin/env node\nimport { createRequire as __saAuditRequire } from "node:module"\nconst require = __saAuditRequire(import.meta.url)'
    }
  }
])
