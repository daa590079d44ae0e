import { eventStoreConformance } from "@service-accounts/testing"
import { layer } from "../src/index.js"

eventStoreConformance("memory", layer)
