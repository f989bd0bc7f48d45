import { parse } from "parse5";
import type { DefaultTreeAdapterTypes } from "parse5";

type Node = DefaultTreeAdapterTypes.Node;
type Element = DefaultTreeAdapterTypes.Element;

export interface PageElement {
  tag: string;
  /** Attribute names are lowercase (HTML parsing lowercases them). */
  attrs: Map<string, string>;
  /** Text inside the element (scripts, links), whitespace-collapsed except for scripts. */
  text: string;
}

/** Document-order content used by the endpoint heuristics. */
export type Block =
  | { kind: "heading"; text: string }
  | { kind: "text"; text: string }
  | { kind: "code"; text: string }
  | { kind: "table"; rows: string[][] };

export interface Page {
  title: string | undefined;
  /** `<base href>` when present. */
  baseHref: string | undefined;
  elements: PageElement[];
  blocks: Block[];
  /** Readable text of the page for the LLM: no scripts or styles, and none of the site's navigation, footer or sidebars (`nav`, `footer`, `aside`), which repeat on every page. */
  text: string;
}

const SKIP = new Set(["style", "noscript", "template", "svg", "head"]);
const BLOCK = new Set(["p", "div", "li", "ul", "ol", "section", "article", "main", "aside", "header", "footer", "nav", "br", "dt", "dd", "dl", "blockquote", "hr", "body", "form", "figure"]);
const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);
/** The site's chrome: its text is the same on every page and documents no endpoint. */
const CHROME = new Set(["nav", "footer", "aside"]);
/** Elements whose attributes or text discovery looks at. */
const INTERESTING = new Set(["script", "a", "link", "redoc", "rapi-doc", "elements-api", "base", "title", "meta", "div", "api-reference", "swagger-ui", "redoc-standalone", "openapi-explorer"]);

/** parse5 (WHATWG HTML parsing) into elements of interest and linear text blocks; iterative, any nesting depth. */
export function readPage(html: string): Page {
  const document = parse(html);
  const elements: PageElement[] = [];
  const blocks: Block[] = [];
  /** Blocks outside the chrome: what the LLM is sent. */
  const content: Block[] = [];
  let chrome = 0;
  let current = "";
  let title: string | undefined;
  let baseHref: string | undefined;
  const add = (block: Block) => {
    blocks.push(block);
    if (chrome === 0) content.push(block);
  };
  const flush = () => {
    const text = current.replace(/\s+/g, " ").trim();
    if (text) add({ kind: "text", text });
    current = "";
  };

  type Frame = { node: Node; exit?: string };
  const stack: Frame[] = [{ node: document }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.exit !== undefined) {
      if (BLOCK.has(frame.exit)) flush();
      if (CHROME.has(frame.exit)) chrome--;
      continue;
    }
    const node = frame.node;
    if (node.nodeName === "#text") {
      current += (node as DefaultTreeAdapterTypes.TextNode).value;
      continue;
    }
    if (!("childNodes" in node)) continue;
    const tag = "tagName" in node ? node.tagName : "";
    if (tag) {
      const element = node as Element;
      if (INTERESTING.has(tag) || element.attrs.length > 0) {
        const attrs = new Map(element.attrs.map((attr) => [attr.name.toLowerCase(), attr.value]));
        const wantsText = tag === "script" || tag === "a" || tag === "title";
        elements.push({ tag, attrs, text: wantsText ? textOf(element, tag === "script") : "" });
        if (tag === "base" && baseHref === undefined) baseHref = attrs.get("href");
        if (tag === "title" && title === undefined) title = textOf(element, false) || undefined;
      }
      if (tag === "script" || SKIP.has(tag)) {
        // head content matters only for discovery (scripts, links): collect those elements.
        if (tag === "head") for (const child of element.childNodes) collectElements(child, elements, (href) => (baseHref ??= href), (t) => (title ??= t));
        continue;
      }
      if (HEADINGS.has(tag) || tag === "pre" || tag === "table") {
        flush();
        if (tag === "table") add({ kind: "table", rows: tableRows(element) });
        else if (tag === "pre") add({ kind: "code", text: textOf(element, true) });
        else {
          const text = textOf(element, false);
          if (text) add({ kind: "heading", text });
          title ??= tag === "h1" ? text : undefined;
        }
        continue;
      }
      if (BLOCK.has(tag)) {
        flush();
        if (CHROME.has(tag)) chrome++;
        stack.push({ node, exit: tag });
      }
    }
    const children = node.childNodes as Node[];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]! });
  }
  flush();
  // A page that is all chrome (a bare index of links) still has its text.
  return { title, baseHref, elements, blocks, text: blocksToText(content.length > 0 ? content : blocks) };
}

/** Discovery-relevant elements inside <head>. */
function collectElements(root: Node, into: PageElement[], onBase: (href: string) => void, onTitle: (title: string) => void): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!("tagName" in node)) continue;
    const element = node as Element;
    const attrs = new Map(element.attrs.map((attr) => [attr.name.toLowerCase(), attr.value]));
    into.push({ tag: element.tagName, attrs, text: element.tagName === "script" || element.tagName === "title" ? textOf(element, element.tagName === "script") : "" });
    const href = attrs.get("href");
    if (element.tagName === "base" && href !== undefined) onBase(href);
    if (element.tagName === "title") {
      const text = textOf(element, false);
      if (text) onTitle(text);
    }
    for (let i = element.childNodes.length - 1; i >= 0; i--) stack.push(element.childNodes[i]!);
  }
}

/** Text content of an element (iterative). Raw keeps whitespace (scripts, code). */
export function textOf(element: Element, raw: boolean): string {
  let text = "";
  const stack: Node[] = [...element.childNodes].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.nodeName === "#text") text += (node as DefaultTreeAdapterTypes.TextNode).value;
    else if ("childNodes" in node && !("tagName" in node && (node.tagName === "style" || node.tagName === "script") && element.tagName !== "script")) {
      if ("tagName" in node && (node.tagName === "br" || node.tagName === "p" || node.tagName === "div")) text += "\n";
      const children = node.childNodes as Node[];
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return raw ? text : text.replace(/\s+/g, " ").trim();
}

function tableRows(table: Element): string[][] {
  const rows: string[][] = [];
  const stack: Node[] = [table];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!("tagName" in node)) continue;
    if (node.tagName === "tr") {
      rows.push(node.childNodes.filter((cell): cell is Element => "tagName" in cell && (cell.tagName === "td" || cell.tagName === "th")).map((cell) => textOf(cell, false)));
      continue;
    }
    const children = node.childNodes as Node[];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return rows;
}

function blocksToText(blocks: Block[]): string {
  return blocks
    .map((block) => {
      if (block.kind === "heading") return `\n## ${block.text}`;
      if (block.kind === "code") return "```\n" + block.text.trim() + "\n```";
      if (block.kind === "table") return block.rows.map((row) => "| " + row.join(" | ") + " |").join("\n");
      return block.text;
    })
    .join("\n")
    .trim();
}
