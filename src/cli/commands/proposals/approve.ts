import { routes, type Proposal } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { renderProposal } from "./render.js";

export async function run(context: Context, options: { proposal: string; allowBreaking: boolean; note?: string }): Promise<Proposal> {
  return (await context.client()).call(routes.approveProposal, {
    params: { proposalId: options.proposal },
    body: { allowBreaking: options.allowBreaking, ...(options.note ? { note: options.note } : {}) },
  });
}

export function render(proposal: Proposal, io: IO): void {
  renderProposal(proposal, io);
  io.out(`Version ${proposal.version} of ${proposal.integration} is now current; pinned apps stay on their versions.`);
}
