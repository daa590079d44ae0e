/**
 * Keys that pollute a prototype (`__proto__`, `constructor`, `prototype`), and fields that are only inherited: a
 * field must be the input's own.
 */
import type { HostileCase } from "./case.js"
import { admin, caller, create, issue, organization } from "./build.js"

const inheritedName: unknown = Object.create({ name: "inherited-name" })
const inheritedRole: unknown = {
  organization,
  actor: Object.create({ role: "administrator" }, { userId: { value: "eve", enumerable: true } })
}

/** Prototype keys in every object the service decodes, and inherited fields. */
export const prototypePollution: ReadonlyArray<HostileCase> = [
  create(
    "proto-key-in-create",
    "prototype pollution",
    JSON.parse('{"name":"polluter","__proto__":{"polluted":true}}'),
    "__proto__"
  ),
  create(
    "constructor-prototype-in-create",
    "prototype pollution",
    JSON.parse('{"name":"polluter","constructor":{"prototype":{"polluted":true}}}'),
    "constructor"
  ),
  create(
    "prototype-key-in-create",
    "prototype pollution",
    JSON.parse('{"name":"polluter","prototype":{"polluted":true}}'),
    "prototype"
  ),
  create(
    "name-only-under-proto-key",
    "prototype pollution",
    JSON.parse('{"__proto__":{"name":"hidden"}}'),
    "__proto__"
  ),
  { ...create("name-only-inherited", "prototype pollution", inheritedName, "name"), exotic: true },
  issue("proto-key-in-issue", "prototype pollution", JSON.parse('{"__proto__":{"scopes":["admin"]}}'), "__proto__"),
  caller(
    "proto-key-in-organization",
    "prototype pollution",
    {
      organization: JSON.parse(
        '{"id":"acme","plan":"enterprise","tenantUrl":"https://acme.example.com","__proto__":{"plan":"enterprise"}}'
      ),
      actor: admin
    },
    "InvalidInput",
    "organization"
  ),
  caller(
    "proto-key-in-actor",
    "prototype pollution",
    { organization, actor: JSON.parse('{"userId":"eve","role":"member","__proto__":{"role":"administrator"}}') },
    "InvalidInput",
    "actor"
  ),
  {
    ...caller("role-only-inherited", "prototype pollution", inheritedRole, "InvalidInput", "actor"),
    exotic: true,
    fixed:
      "the caller is decoded through the prototype chain: an actor whose `role` is inherited (from a defaults object, or from a polluted Object.prototype when the host forgot the field) is authorised as administrator; callers should be decoded from own properties only"
  }
]
