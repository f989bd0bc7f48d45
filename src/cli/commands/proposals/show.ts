import { routes, type ProposalDetail } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { renderReport } from "../drift/render.js";
import { describeProposal } from "./render.js";

export async function run(context: Context, options: { proposal: string }): Promise<ProposalDetail> {
  return (await context.client()).call(routes.getProposal, { params: { proposalId: options.proposal } });
}

export function render(proposal: ProposalDetail, io: IO): void {
  io.out(describeProposal({ ...proposal, report: proposal.report.id }));
  io.out(`Changelog: ${proposal.changelog}`);
  renderReport(proposal.report, io);
}
