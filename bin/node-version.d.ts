/** The `engines.node` range waygate runs on; package.json states the same. */
export declare const NODE_ENGINES: string;
/** Null when this Node can run waygate, else the one line that says why not. */
export declare function unsupportedNode(version: string): string | null;
