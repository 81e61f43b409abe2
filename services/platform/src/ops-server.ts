import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { PrometheusExporter } from "@opentelemetry/exporter-prometheus";

/** What the readiness endpoint reports: ready when every check passes. */
export interface HealthReport {
  readonly ready: boolean;
  /** Per check, true when it passes; names are stable (probes and dashboards read them). */
  readonly checks: Readonly<Record<string, boolean>>;
}

export interface OpsServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string | undefined;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Serves /metrics; without it /metrics answers 404. */
  readonly prometheus?: PrometheusExporter;
  /** /readyz: 200 when ready, 503 otherwise, with the checks as JSON. */
  readonly readiness: () => Promise<HealthReport>;
}

export interface OpsServer {
  /** host:port it listens on. */
  readonly address: string;
  close(): Promise<void>;
}

const READINESS_TIMEOUT_MS = 2_000;

/**
 * The operations endpoint of a service, separate from the traffic it serves: /metrics for
 * Prometheus, /livez (the process answers: the event loop runs) and /readyz (its dependencies
 * answer) for Kubernetes probes. Answers carry no document data.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server = createServer((request, response) => {
    route(request, response, options).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `${bound.family === "IPv6" ? `[${bound.address}]` : bound.address}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(request: IncomingMessage, response: ServerResponse, options: OpsServerOptions): Promise<void> {
  const path = (request.url ?? "/").split("?")[0];
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  if (path === "/metrics" && options.prometheus) {
    options.prometheus.getMetricsRequestHandler(request, response);
    return;
  }
  if (path === "/livez") {
    json(response, 200, { live: true });
    return;
  }
  if (path === "/readyz") {
    const report = await withTimeout(options.readiness(), READINESS_TIMEOUT_MS);
    json(response, report.ready ? 200 : 503, report);
    return;
  }
  json(response, 404, { error: "not found", paths: ["/metrics", "/livez", "/readyz"] });
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}

/** A check that hangs is a failed check: probes must answer within their own timeout. */
function withTimeout(report: Promise<HealthReport>, ms: number): Promise<HealthReport> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthReport>((resolve) => {
    timer = setTimeout(() => resolve({ ready: false, checks: { readiness_timeout: false } }), ms);
  });
  return Promise.race([report, timeout]).finally(() => clearTimeout(timer));
}
