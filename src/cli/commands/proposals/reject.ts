import { routes, type Proposal } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { renderProposal } from "./render.js";

export async function run(context: Context, options: { proposal: string; note?: string }): Promise<Proposal> {
  return (await context.client()).call(routes.rejectProposal, { params: { proposalId: options.proposal }, body: options.note ? { note: options.note } : {} });
}

export function render(proposal: Proposal, io: IO): void {
  renderProposal(proposal, io);
  io.out("Its changes are suppressed: drift checks report them again only once they change.");
}
