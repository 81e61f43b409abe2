import { createServer, type Server } from "node:http";

/**
 * A minimal OTLP/HTTP metrics receiver on 127.0.0.1, so the driver can read gauges that the
 * services export through the platform's OpenTelemetry set-up (OTEL_EXPORTER_OTLP_ENDPOINT),
 * e.g. the real sidecar's inference.queue.depth, without a collector. Only what the load test
 * reads is decoded: the latest value of each gauge and sum, by metric name, summed over data points.
 *
 * The protobuf wire format is walked by hand for the few fields on the path
 * ExportMetricsServiceRequest.resource_metrics[].scope_metrics[].metrics[].{name, gauge|sum}.data_points[].
 */

interface Field {
  no: number;
  wire: number;
  /** Varint value (wire 0), or the 64-bit value as a double view (wire 1). */
  num?: number;
  bytes?: Uint8Array;
}

function* fields(buf: Uint8Array): Generator<Field> {
  let i = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) yield { no, wire, num: varint() };
    else if (wire === 1) {
      const view = new DataView(buf.buffer, buf.byteOffset + i, 8);
      yield { no, wire, num: view.getFloat64(0, true), bytes: buf.subarray(i, i + 8) };
      i += 8;
    } else if (wire === 2) {
      const len = varint();
      yield { no, wire, bytes: buf.subarray(i, i + len) };
      i += len;
    } else if (wire === 5) i += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

/** NumberDataPoint: as_double = 4 (fixed64 double), as_int = 6 (sfixed64). */
function pointValue(point: Uint8Array): number | undefined {
  for (const f of fields(point)) {
    if (f.no === 4 && f.wire === 1) return f.num;
    if (f.no === 6 && f.wire === 1 && f.bytes) return Number(new DataView(f.bytes.buffer, f.bytes.byteOffset, 8).getBigInt64(0, true));
  }
  return undefined;
}

/** Metric: name = 1, gauge = 5, sum = 7; both hold data_points = 1. */
function readMetric(metric: Uint8Array): { name: string; value: number } | undefined {
  let name = "";
  let total: number | undefined;
  for (const f of fields(metric)) {
    if (f.no === 1 && f.bytes) name = new TextDecoder().decode(f.bytes);
    if ((f.no === 5 || f.no === 7) && f.bytes) {
      for (const dp of fields(f.bytes)) {
        if (dp.no !== 1 || !dp.bytes) continue;
        const v = pointValue(dp.bytes);
        if (v !== undefined) total = (total ?? 0) + v;
      }
    }
  }
  return name && total !== undefined ? { name, value: total } : undefined;
}

export function decodeMetricsRequest(body: Uint8Array): Map<string, number> {
  const out = new Map<string, number>();
  for (const rm of fields(body)) {
    if (rm.no !== 1 || !rm.bytes) continue;
    for (const sm of fields(rm.bytes)) {
      if (sm.no !== 2 || !sm.bytes) continue;
      for (const m of fields(sm.bytes)) {
        if (m.no !== 2 || !m.bytes) continue;
        const metric = readMetric(m.bytes);
        if (metric) out.set(metric.name, metric.value);
      }
    }
  }
  return out;
}

export class OtlpMetricsReceiver {
  readonly latest = new Map<string, number>();
  #server: Server | undefined;

  /** Listens on 127.0.0.1 (any free port) and returns the base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.url === "/v1/metrics") {
          try {
            for (const [k, v] of decodeMetricsRequest(Buffer.concat(chunks))) this.latest.set(k, v);
          } catch {
            /* a malformed export only loses one sample */
          }
        }
        // An empty ExportServiceResponse is an empty protobuf message.
        res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.#server = server;
    const address = server.address();
    return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
