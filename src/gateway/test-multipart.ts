/** Test support: a multipart/form-data body read by multiparty (a streaming RFC 7578 parser for Node), as an upstream would. */
import { Readable } from "node:stream";
import multiparty from "multiparty";

export interface ReceivedPart {
  name: string;
  /** Present for a file part. */
  filename?: string;
  /** Every header of the part, names lower-cased, as the parser read them. */
  headers: Record<string, string>;
  /** The part's bytes as text (latin1, so that bytes stay bytes). */
  value: string;
}

export function parseMultipart(contentType: string, body: Buffer): Promise<ReceivedPart[]> {
  return new Promise((resolve, reject) => {
    const parts: ReceivedPart[] = [];
    const form = new multiparty.Form();
    form.on("part", (part: multiparty.Part) => {
      const chunks: Buffer[] = [];
      part.on("data", (chunk: Buffer) => chunks.push(chunk));
      part.on("end", () => {
        const received: ReceivedPart = { name: part.name, headers: { ...part.headers }, value: Buffer.concat(chunks).toString("latin1") };
        if (part.filename !== undefined) received.filename = part.filename;
        parts.push(received);
      });
      part.on("error", reject);
    });
    form.on("close", () => resolve(parts));
    form.on("error", reject);
    const request = Object.assign(Readable.from([body]), { headers: { "content-type": contentType, "content-length": String(body.length) } });
    form.parse(request as never);
  });
}
