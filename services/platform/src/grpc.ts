import { readFileSync } from "node:fs";
import { fromBinary, toBinary, type DescMessage, type MessageInitShape, type MessageShape, create } from "@bufbuild/protobuf";
import type { GenService } from "@bufbuild/protobuf/codegenv2";
import * as grpc from "@grpc/grpc-js";

/** The unary methods of a generated service, keyed by their local (camelCase) names. */
type UnaryMethods = Record<string, { methodKind: "unary"; input: DescMessage; output: DescMessage }>;

/** Server-side handlers for a generated protobuf-es service. */
export type ServiceHandlers<T extends UnaryMethods> = {
  [K in keyof T]: grpc.handleUnaryCall<MessageShape<T[K]["input"]>, MessageShape<T[K]["output"]>>;
};

export interface CallOptions {
  /** Absolute deadline; the server sees it and can drop expired work. */
  deadline?: Date;
  metadata?: grpc.Metadata;
  /** Cancels the call (the server sees CANCELLED) when aborted. */
  signal?: AbortSignal;
}

/** Promise-returning client for a generated protobuf-es service. */
export type ServiceClient<T extends UnaryMethods> = {
  [K in keyof T]: (request: MessageInitShape<T[K]["input"]>, options?: CallOptions) => Promise<MessageShape<T[K]["output"]>>;
} & { readonly channel: grpc.Client };

/**
 * Turns a protobuf-es service descriptor into what grpc-js needs, so the wire format is
 * produced by the generated code and not by a second, reflection-based protobuf library.
 */
export function grpcServiceDefinition<T extends UnaryMethods>(service: GenService<T>): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<MessageShape<DescMessage>, MessageShape<DescMessage>>> = {};
  for (const method of service.methods) {
    if (method.methodKind !== "unary") {
      throw new Error(`${service.typeName}.${method.name}: only unary methods are supported`);
    }
    definition[method.localName] = {
      path: methodPath(service, method),
      requestStream: false,
      responseStream: false,
      originalName: method.name,
      requestSerialize: (message: MessageShape<DescMessage>) => Buffer.from(toBinary(method.input, message)),
      requestDeserialize: (bytes: Buffer) => fromBinary(method.input, bytes),
      responseSerialize: (message: MessageShape<DescMessage>) => Buffer.from(toBinary(method.output, message)),
      responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
    };
  }
  return definition;
}

function methodPath(service: { typeName: string }, method: { name: string }): string {
  return `/${service.typeName}/${method.name}`;
}

export function addService<T extends UnaryMethods>(server: grpc.Server, service: GenService<T>, handlers: ServiceHandlers<T>): void {
  server.addService(grpcServiceDefinition(service), handlers);
}

/**
 * A promise-returning client whose methods are the service's, each a unary request on one
 * grpc-js channel (makeUnaryRequest, grpc-js' typed call API), serialised by the generated code.
 */
export function createServiceClient<T extends UnaryMethods>(
  service: GenService<T>,
  address: string,
  credentials: grpc.ChannelCredentials,
  channelOptions: grpc.ChannelOptions = {},
): ServiceClient<T> {
  const channel = new grpc.Client(address, credentials, channelOptions);
  const client: Record<string, unknown> = { channel };
  for (const method of service.methods) {
    if (method.methodKind !== "unary") throw new Error(`${service.typeName}.${method.name}: only unary methods are supported`);
    const path = methodPath(service, method);
    const serialize = (message: MessageShape<DescMessage>) => Buffer.from(toBinary(method.input, message));
    const deserialize = (bytes: Buffer) => fromBinary(method.output, bytes);
    client[method.localName] = (request: MessageInitShape<DescMessage>, options: CallOptions = {}) =>
      new Promise((resolve, reject) => {
        if (options.signal?.aborted) {
          reject(cancelledError());
          return;
        }
        const call = channel.makeUnaryRequest(
          path,
          serialize,
          deserialize,
          create(method.input, request),
          options.metadata ?? new grpc.Metadata(),
          { deadline: options.deadline },
          (error, response) => {
            options.signal?.removeEventListener("abort", onAbort);
            if (error) reject(error);
            else resolve(response);
          },
        );
        const onAbort = () => call.cancel();
        options.signal?.addEventListener("abort", onAbort, { once: true });
      });
  }
  return client as ServiceClient<T>;
}

function cancelledError(): grpc.ServiceError {
  return Object.assign(new Error("1 CANCELLED: aborted before the call started"), {
    code: grpc.status.CANCELLED,
    details: "aborted before the call started",
    metadata: new grpc.Metadata(),
  });
}

export interface TlsFiles {
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** CA bundle: servers use it to require client certificates (mTLS), clients to verify the server. */
  caFile?: string | undefined;
}

export function serverCredentials(tls: TlsFiles | undefined): grpc.ServerCredentials {
  if (!tls?.certFile || !tls.keyFile) return grpc.ServerCredentials.createInsecure();
  const ca = tls.caFile ? readFileSync(tls.caFile) : null;
  return grpc.ServerCredentials.createSsl(ca, [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }], ca !== null);
}

export function channelCredentials(tls: TlsFiles | undefined, enabled: boolean): grpc.ChannelCredentials {
  if (!enabled) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(
    tls?.caFile ? readFileSync(tls.caFile) : null,
    tls?.keyFile ? readFileSync(tls.keyFile) : null,
    tls?.certFile ? readFileSync(tls.certFile) : null,
  );
}

/** True for gRPC addresses that name a Unix domain socket (co-located sidecar). */
export function isUnixSocketAddress(address: string): boolean {
  return address.startsWith("unix:");
}

/** The filesystem path of a `unix:` address (`unix:/abs`, `unix:///abs` or `unix:rel`). */
export function unixSocketPath(address: string): string {
  return address.replace(/^unix:(\/\/)?/, "");
}
