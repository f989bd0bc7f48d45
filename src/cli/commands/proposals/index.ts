import { InvalidArgumentError, type Command } from "commander";
import { ProposalStatusSchema } from "../../../contract/index.js";
import { verb, type Executor } from "../../command.js";

const status = (value: string) => {
  const parsed = ProposalStatusSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`must be one of ${ProposalStatusSchema.options.join(", ")}`);
  return parsed.data;
};

export function registerProposals(program: Command, execute: Executor): void {
  const noun = program.command("proposals").description("auto-maintenance: draft versions built from drift, waiting to be approved or rejected");
  verb(
    noun
      .command("list")
      .alias("ls")
      .option("--integration <slug>", "only this integration's proposals")
      .option("--status <status>", "open, approving, approved, rejected or superseded", status)
      .description("list proposals, newest first"),
    execute,
    () => import("./list.js"),
    (_args, flags) => ({
      ...(typeof flags.integration === "string" ? { integration: flags.integration } : {}),
      ...(typeof flags.status === "string" ? { status: flags.status as ReturnType<typeof status> } : {}),
    }),
  );
  verb(
    noun.command("show").argument("<proposal>", "proposal id").description("show a proposal with its changelog, changes and affected apps"),
    execute,
    () => import("./show.js"),
    ([proposal]) => ({ proposal: proposal! }),
  );
  verb(
    noun
      .command("approve")
      .argument("<proposal>", "proposal id")
      .option("--allow-breaking", "publish even when it breaks the current version that unpinned apps follow")
      .option("--note <text>", "why (kept in the integration's history)")
      .description("publish the proposal's draft as the current version (pinned apps never move)"),
    execute,
    () => import("./approve.js"),
    ([proposal], flags) => ({ proposal: proposal!, allowBreaking: flags.allowBreaking === true, ...(typeof flags.note === "string" ? { note: flags.note } : {}) }),
  );
  verb(
    noun
      .command("reject")
      .argument("<proposal>", "proposal id")
      .option("--note <text>", "why (kept in the integration's history)")
      .description("reject the proposal and suppress its changes until they change again"),
    execute,
    () => import("./reject.js"),
    ([proposal], flags) => ({ proposal: proposal!, ...(typeof flags.note === "string" ? { note: flags.note } : {}) }),
  );
}
