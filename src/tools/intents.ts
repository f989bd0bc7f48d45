import type { Intent } from "../contract/index.js";
import type { DescriptorOptions, ToolDescriptor } from "./descriptor.js";
import { boundedSchema, DEFAULT_SCHEMA_LIMITS, trimText } from "./schema.js";

/**
 * Intents as AI tools: one tool per intent instead of one per provider's action, named
 * `intent_<name>`. Integration tool names always hold `__` and intent names never do, so
 * the two can never collide.
 */
const PREFIX = "intent_";

export function intentToolName(intent: string): string {
  return `${PREFIX}${intent}`;
}

/** The intent a tool name names, or null for any other tool. */
export function intentOfToolName(name: string): string | null {
  return name.startsWith(PREFIX) && !name.includes("__") ? name.slice(PREFIX.length) : null;
}

/** Tools of the intents that have a provider bound; an intent with none could only fail. */
export function describeIntents(intents: readonly Intent[], options: DescriptorOptions = {}): ToolDescriptor[] {
  const limits = options.limits ?? DEFAULT_SCHEMA_LIMITS;
  return intents
    .filter((intent) => intent.bindings.length > 0)
    .map((intent) => {
      const input = boundedSchema(intent.inputSchema, limits);
      const output = boundedSchema(intent.outputSchema, limits);
      const providers = intent.bindings.map((binding) => binding.integration).join(", ");
      const lead = intent.description.trim() || intent.name.replace(/_/g, " ");
      const tail = ` (Runs on whichever of ${providers} the user connected; the result names the provider and lists fields it could not honour.)`;
      return {
        name: intentToolName(intent.name),
        integration: "intents",
        version: intent.version,
        action: intent.name,
        method: "POST",
        path: `/v1/intents/${intent.name}/invoke`,
        description: trimText(/[.!?:]$/.test(lead) ? lead : `${lead}.`, Math.max(40, (options.maxDescription ?? 1_000) - tail.length)) + tail,
        inputSchema: input.schema,
        outputSchema: output.fallback === "none" ? output.schema : null,
        // An intent may write (send a message, open a ticket): never hinted read-only or idempotent.
        annotations: { title: trimText(lead, 120), readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
        inputFallback: input.fallback,
        tags: ["intent"],
      };
    });
}
