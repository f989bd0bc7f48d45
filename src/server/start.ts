import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { createApp, type AppOptions } from "./app.js";

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the API on host:port (port 0 picks a free one) and resolves once it is listening. */
export async function startServer(options: AppOptions & { host: string; port: number }): Promise<RunningServer> {
  const app = createApp(options);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(listening));
    listening.once("error", reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would otherwise hold close() open until they time out.
        if ("closeIdleConnections" in server) server.closeIdleConnections();
      }),
  };
}
