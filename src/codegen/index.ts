/**
 * The SDK generator: pure transforms from an `SdkManifest` to the files of the
 * generated TypeScript client, and code snippets per action.
 */
export { generateClient, type GenerateOptions } from "./generate.js";
export { CodegenError } from "./naming.js";
export { exampleFromSchema, type ExampleOptions } from "./snippets/example.js";
export { renderSnippet, type SnippetOptions } from "./snippets/index.js";
export { loadTemplates, SNIPPET_LANGUAGES, type SnippetLanguage, type Templates } from "./templates.js";
