import { defineConfig } from "tsup"

// The root and one entry per layer (`@service-accounts/domain/model`, …); `fast/` and the files each layer keeps
// to itself are bundled into them, never entries of their own.
export default defineConfig({
  entry: {
    index: "src/index.ts",
    "model/index": "src/model/index.ts",
    "store/index": "src/store/index.ts",
    "readModels/index": "src/readModels/index.ts",
    "integrity/index": "src/integrity/index.ts",
    "history/index": "src/history/index.ts",
    "service/index": "src/service/index.ts"
  },
  format: ["esm", "cjs"],
  // Shared chunks for CommonJS too: a program that loads the root and a layer must get one copy of each class.
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  tsconfig: "tsconfig.build.json"
})
