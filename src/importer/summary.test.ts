import { describe, expect, it } from "vitest";
import { firstSentence, summaryOrFirstSentence } from "./summary.js";

describe("summary from the description", () => {
  it.each([
    ["Sends a message to a channel.\n\nThis method posts a message to a public channel.", "Sends a message to a channel."],
    ["<p>Returns a list of your customers. The customers are returned sorted by creation date.</p>", "Returns a list of your customers."],
    ["Lists all channels in a Slack team", "Lists all channels in a Slack team"],
    ["Checks authentication & identity.", "Checks authentication & identity."],
    ["Retrieves a [balance transaction](https://stripe.com/docs) by id, e.g. txn_1. Then more.", "Retrieves a balance transaction by id, e.g. txn_1."],
    ["## Heading\n\nBody text here.", "Heading"],
    ["   ", undefined],
  ])("%j → %j", (description, expected) => expect(firstSentence(description)).toBe(expected));

  it("cuts a long sentence at 200 characters", () => {
    const summary = firstSentence("word ".repeat(100));
    expect(summary?.length).toBe(200);
    expect(summary?.endsWith("…")).toBe(true);
  });

  it("keeps a summary the document gives", () => {
    expect(summaryOrFirstSentence("List all customers", "<p>Returns a list.</p>")).toBe("List all customers");
    expect(summaryOrFirstSentence(undefined, "<p>Returns a list.</p>")).toBe("Returns a list.");
    expect(summaryOrFirstSentence("", undefined)).toBeUndefined();
  });
});
