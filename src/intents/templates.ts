import type { IntentTemplateName, JsonSchema } from "../contract/index.js";

export interface IntentTemplate {
  template: IntentTemplateName;
  /** The intent name `waygate intents create --template` gives when none is passed. */
  name: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
}

const str = (description: string): JsonSchema => ({ type: "string", description });

/**
 * Built-in starting points. Deliberately small: the fields most providers share, so that
 * bindings rarely have to drop one, and `extras` carries what only one provider has.
 */
export const INTENT_TEMPLATES: readonly IntentTemplate[] = [
  {
    template: "messages",
    name: "send_message",
    description: "Send a message to a channel, conversation or person",
    inputSchema: {
      type: "object",
      required: ["to", "text"],
      properties: {
        to: str("Where the message goes: a channel, conversation or user id of the provider"),
        text: str("The message text (plain text or the provider's light markup)"),
        threadId: str("Reply in this thread, where the provider has threads"),
      },
    },
    outputSchema: {
      type: "object",
      required: ["id"],
      properties: { id: str("The provider's id of the sent message"), url: str("A link to the message, where the provider gives one") },
    },
  },
  {
    template: "tickets",
    name: "create_ticket",
    description: "Open a ticket, issue or task in a tracker",
    inputSchema: {
      type: "object",
      required: ["title"],
      properties: {
        project: str("The project, board or repository the ticket belongs to"),
        title: str("One-line summary"),
        description: str("The body of the ticket"),
        assignee: str("Who it is assigned to (the provider's user id or handle)"),
        labels: { type: "array", items: { type: "string" }, description: "Labels or tags" },
      },
    },
    outputSchema: { type: "object", required: ["id"], properties: { id: str("The provider's ticket id or key"), url: str("A link to the ticket") } },
  },
  {
    template: "contacts",
    name: "create_contact",
    description: "Add a contact (a person) to a CRM or address book",
    inputSchema: {
      type: "object",
      required: ["email"],
      properties: {
        email: { type: "string", format: "email", description: "Primary e-mail address" },
        firstName: str("Given name"),
        lastName: str("Family name"),
        phone: str("Phone number"),
        company: str("Company or organisation"),
      },
    },
    outputSchema: { type: "object", required: ["id"], properties: { id: str("The provider's contact id") } },
  },
  {
    template: "files",
    name: "upload_file",
    description: "Store a small text file in a drive, bucket or document store",
    inputSchema: {
      type: "object",
      required: ["name", "content"],
      properties: {
        name: str("File name"),
        content: str("The file's content (text, or base64 for binary with contentType)"),
        contentType: str("Media type, default text/plain"),
        folder: str("Folder or path to put it in"),
      },
    },
    outputSchema: { type: "object", required: ["id"], properties: { id: str("The provider's file id"), url: str("A link to the file") } },
  },
];

export function intentTemplate(name: IntentTemplateName): IntentTemplate {
  return INTENT_TEMPLATES.find((template) => template.template === name)!;
}
