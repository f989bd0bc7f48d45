import { describeAuthSchemes, REVIEW_CONFIDENCE, type IntegrationDefinition } from "./integrations.js";

/** One thing in a scraped version that a person should confirm or fix before publishing it. */
export interface ReviewItem {
  /** `auth` (the integration's), an action name, or `<action>.<field>`. */
  subject: string;
  kind: "auth" | "action" | "field";
  /** 0-1; null for auth, which is either verified or not. */
  confidence: number | null;
  /** What is doubtful, in words. */
  doubts: string[];
  /** The docs page it was read from. */
  source?: string;
  /** The command or edit that settles it. */
  fix: string;
}

/**
 * The low-confidence parts of a definition, most doubtful first: auth nobody verified (never
 * a silent "none"), actions and fields whose extraction is below REVIEW_CONFIDENCE. A spec
 * import has none (its actions carry no provenance, its auth is declared).
 */
export function reviewItems(definition: IntegrationDefinition): ReviewItem[] {
  const items: ReviewItem[] = [];
  if (definition.authTypeUnverified) {
    items.push({
      subject: "auth",
      kind: "auth",
      confidence: null,
      doubts: [definition.authSchemes.length === 0 ? "the docs state no auth: unknown, not none" : `read from the docs, not declared: ${describeAuthSchemes(definition.authSchemes)}`],
      fix: `waygate integrations set-auth ${definition.slug} --type bearer|apiKey|basic|oauth2 …`,
    });
  }
  const actions: ReviewItem[] = [];
  for (const action of definition.actions) {
    const provenance = action.provenance;
    if (!provenance) continue;
    if (provenance.confidence < REVIEW_CONFIDENCE || provenance.doubts.length > 0) {
      actions.push({
        subject: action.name,
        kind: "action",
        confidence: provenance.confidence,
        doubts: provenance.doubts.length > 0 ? provenance.doubts : ["low confidence"],
        source: provenance.source,
        fix: `check ${action.method} ${action.path} against the docs; fix it with \`waygate integrations edit ${definition.slug}\``,
      });
    }
    for (const [field, origin] of Object.entries(provenance.fields)) {
      if (origin.confidence >= REVIEW_CONFIDENCE) continue;
      actions.push({
        subject: `${action.name}.${field}`,
        kind: "field",
        confidence: origin.confidence,
        doubts: origin.doubts.length > 0 ? origin.doubts : ["low confidence"],
        source: origin.source,
        fix: `check the field in the docs; fix it with \`waygate integrations edit ${definition.slug}\``,
      });
    }
  }
  actions.sort((a, b) => (a.confidence ?? 0) - (b.confidence ?? 0) || (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
  return [...items, ...actions];
}
