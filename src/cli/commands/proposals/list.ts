import { routes, type Proposal } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";

export interface ProposalListOptions {
  integration?: string;
  status?: Proposal["status"];
}

export async function run(context: Context, options: ProposalListOptions): Promise<{ data: Proposal[] }> {
  return (await context.client()).call(routes.listProposals, { query: { ...options, limit: 50 } });
}

export function render(result: { data: Proposal[] }, io: IO): void {
  if (result.data.length === 0) {
    io.out("No proposals.");
    return;
  }
  table(
    io,
    [{ header: "PROPOSAL", keep: true }, { header: "INTEGRATION", keep: true }, { header: "VERSION", keep: true }, { header: "STATUS", keep: true }, "BREAKING", "CHANGES", "CREATED"],
    result.data.map((p) => [p.id, p.integration, `${p.baseVersion ?? "-"} → ${p.version}`, p.status, p.breaking ? "yes" : "no", p.changelog, p.createdAt.slice(0, 16).replace("T", " ")]),
  );
}
