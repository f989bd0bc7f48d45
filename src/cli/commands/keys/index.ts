import type { Command } from "commander";
import { verb, type Executor } from "../../command.js";

export function registerKeys(program: Command, execute: Executor): void {
  const noun = program.command("keys").description("manage the tenant's admin API keys");
  verb(noun.command("list").alias("ls").description("list admin keys (never their secrets)"), execute, () => import("./list.js"), () => ({}));
  verb(
    noun.command("create").description("create an admin key; it is shown once").option("--name <name>", "a label for the key", "default"),
    execute,
    () => import("./create.js"),
    (_args, flags) => ({ name: String(flags.name) }),
  );
  verb(
    noun.command("revoke").argument("<keyId>", "key id (key_…)").description("revoke an admin key"),
    execute,
    () => import("./revoke.js"),
    ([keyId]) => ({ keyId: keyId! }),
  );
}
