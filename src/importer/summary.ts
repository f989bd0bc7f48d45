/**
 * A one-line summary for an operation that has none: the first sentence of its description,
 * as plain text. Slack's operations, for one, carry only a description ("Sends a message to
 * a channel.\n\nThis method posts…"); Stripe's descriptions are HTML (`<p>Returns a list…</p>`).
 */
const MAX_SUMMARY = 200;

export function summaryOrFirstSentence(summary: string | undefined, description: string | undefined): string | undefined {
  if (summary !== undefined && summary.trim() !== "") return summary;
  return description === undefined ? undefined : firstSentence(description);
}

export function firstSentence(description: string): string | undefined {
  const paragraph = plainText(description).split(/\n\s*\n/).find((part) => part.trim() !== "") ?? "";
  const text = paragraph.replace(/\s+/g, " ").trim();
  if (text === "") return undefined;
  // A full stop, ! or ? followed by a space and a capital (or the end) ends the sentence; "e.g. the" does not.
  const end = /[.!?](?=\s+[A-Z(`"'])|[.!?]$/.exec(text);
  const sentence = end ? text.slice(0, end.index + 1) : text;
  return sentence.length <= MAX_SUMMARY ? sentence : sentence.slice(0, MAX_SUMMARY - 1).trimEnd() + "…";
}

/** HTML tags and Markdown links, emphasis and headings reduced to their text (bounded, linear regexes). */
function plainText(text: string): string {
  return text
    .slice(0, 10_000)
    .replace(/<\/p>|<br\s*\/?>/gi, "\n\n")
    .replace(/<[^<>]{0,1000}>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/!?\[([^\]\n]{0,500})\]\([^)\n]{0,1000}\)/g, "$1")
    .replace(/^#{1,6}\s+/gm, "")
    .replace(/(\*\*|__)([^*_\n]{1,500})\1/g, "$2");
}
