import type { Command } from "commander";
import { positiveInt, verb, type Executor } from "../../command.js";

const versionArg = (value: string) => positiveInt(value);

export function registerVersions(program: Command, execute: Executor): void {
  const noun = program.command("versions").description("an integration's immutable versions: list, diff, publish, roll back");
  verb(
    noun.command("list").alias("ls").argument("<integration>", "integration slug").description("list versions, newest first"),
    execute,
    () => import("./list.js"),
    ([integration]) => ({ integration: integration! }),
  );
  verb(
    noun.command("show").argument("<integration>", "integration slug").argument("<version>", "version number", versionArg).description("show one version"),
    execute,
    () => import("./show.js"),
    ([integration, version]) => ({ integration: integration!, version: version as unknown as number }),
  );
  verb(
    noun
      .command("diff")
      .argument("<integration>", "integration slug")
      .argument("<from>", "older version", versionArg)
      .argument("<to>", "newer version", versionArg)
      .description("what changed between two versions, with breaking changes marked")
      .option("--fail-on-breaking", "exit 5 when any change is breaking (for CI)"),
    execute,
    () => import("./diff.js"),
    ([integration, from, to], flags) => ({ integration: integration!, from: from as unknown as number, to: to as unknown as number, failOnBreaking: flags.failOnBreaking === true }),
  );
  verb(
    noun
      .command("publish")
      .argument("<integration>", "integration slug")
      .argument("<version>", "version number", versionArg)
      .description("publish a version and make it current")
      .option("--fail-on-breaking", "refuse (exit 5) when it breaks the current version"),
    execute,
    () => import("./publish.js"),
    ([integration, version], flags) => ({ integration: integration!, version: version as unknown as number, failOnBreaking: flags.failOnBreaking === true }),
  );
  verb(
    noun
      .command("review")
      .argument("<integration>", "integration slug")
      .argument("<version>", "version number", versionArg)
      .description("list what to check before publishing a scraped version: unverified auth, low-confidence actions and fields"),
    execute,
    () => import("./review.js"),
    ([integration, version]) => ({ integration: integration!, version: version as unknown as number }),
  );
  verb(
    noun
      .command("rollback")
      .argument("<integration>", "integration slug")
      .requiredOption("--to <version>", "the published version to make current again", versionArg)
      .description("make an earlier version current again, instantly"),
    execute,
    () => import("./rollback.js"),
    ([integration], flags) => ({ integration: integration!, to: flags.to as number }),
  );
  verb(
    noun.command("history").argument("<integration>", "integration slug").description("what happened to the integration's versions, newest first: publishes, rollbacks, proposal decisions (who, when, why)"),
    execute,
    () => import("./history.js"),
    ([integration]) => ({ integration: integration! }),
  );
}
