import type { Proposal } from "../../../contract/index.js";
import type { IO } from "../../io.js";

/** One proposal's decision line: what it is now, and who decided why. */
export function describeProposal(proposal: Proposal): string {
  const decided = proposal.decidedBy ? ` by ${proposal.decidedBy} at ${proposal.decidedAt?.slice(0, 16).replace("T", " ")}` : "";
  const why = proposal.note ? `: ${proposal.note}` : "";
  const superseded = proposal.supersededBy ? ` by ${proposal.supersededBy}` : "";
  return `Proposal ${proposal.id} (${proposal.integration} version ${proposal.version}, ${proposal.breaking ? "breaking" : "not breaking"}) is ${proposal.status}${superseded}${decided}${why}`;
}

export function renderProposal(proposal: Proposal, io: IO): void {
  io.out(describeProposal(proposal));
}
