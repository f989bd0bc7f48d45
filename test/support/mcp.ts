import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** A client-side transport that asks for another protocol revision than the SDK's newest, and records the answer. */
export class PinnedRevision implements Transport {
  negotiated: string | undefined;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  constructor(
    private readonly inner: Transport,
    private readonly revision: string,
  ) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message) => {
      const result = (message as { result?: { protocolVersion?: string } }).result;
      if (result?.protocolVersion) this.negotiated = result.protocolVersion;
      this.onmessage?.(message);
    };
  }
  /** The HTTP transport sends the negotiated revision as MCP-Protocol-Version on later requests. */
  setProtocolVersion(version: string) {
    this.inner.setProtocolVersion?.(version);
  }
  start() {
    return this.inner.start();
  }
  close() {
    return this.inner.close();
  }
  send(message: JSONRPCMessage) {
    const request = message as { method?: string; params?: { protocolVersion?: string } };
    if (request.method === "initialize" && request.params) request.params.protocolVersion = this.revision;
    return this.inner.send(message);
  }
}

