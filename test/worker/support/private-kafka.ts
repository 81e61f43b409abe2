import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { logLevel } from "kafkajs";
import type { Kafka } from "kafkajs";
import { testKafka } from "../../harness/index.ts";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("../../../infra/local/kafka.sh", import.meta.url));
const SHARED_JARS = fileURLToPath(new URL("../../../.cache/kafka/libs", import.meta.url));

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A broker port p such that p, p+1, p+10, p+11, p+20, p+21 are all free (kafka.sh's layout). */
async function freePortBlock(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = [0, 1, 10, 11, 20, 21].map((d) => base + d);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error("no free block of ports for a private Kafka cluster");
}

/**
 * A three-node KRaft cluster of this test's own, started by the same script as the local stack
 * (`KAFKA_NODES=3`, another folder and ports, the local stack's jars), so that a test can kill a
 * broker without disturbing the shared one that other tests are using.
 */
export class PrivateKafkaCluster {
  readonly nodes = 3;
  readonly replicationFactor = 3;
  readonly minInsyncReplicas = 2;
  readonly #port: number;
  readonly #home: string;

  private constructor(port: number, home: string) {
    this.#port = port;
    this.#home = home;
  }

  /** Starts the cluster; the local stack must be installed (its jars are reused). */
  static async start(): Promise<PrivateKafkaCluster> {
    const cluster = new PrivateKafkaCluster(await freePortBlock(), mkdtempSync(join(tmpdir(), "lre-private-kafka-")));
    await cluster.#script("start");
    return cluster;
  }

  get brokers(): string[] {
    return Array.from({ length: this.nodes }, (_, i) => `127.0.0.1:${this.#port + 10 * i}`);
  }

  /** A kafkajs client of this cluster, silent (a killed broker is the point, not news). */
  client(clientId: string): Kafka {
    return testKafka(clientId, { brokers: this.brokers, logLevel: logLevel.NOTHING });
  }

  /** The node id (1..3) leading most partitions of `topic`: killing it moves the most leaders. */
  async busiestLeader(topic: string): Promise<number> {
    const admin = this.client("private-kafka-admin").admin();
    await admin.connect();
    try {
      const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      const led = new Map<number, number>();
      for (const p of meta!.partitions) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
      return [...led.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    } finally {
      await admin.disconnect();
    }
  }

  /** SIGKILL to one node: a crashed broker, no controlled shutdown. */
  kill(node: number): Promise<void> {
    return this.#script("kill", String(node));
  }

  /** Starts every node that is down (a killed broker comes back with its data). */
  restartDown(): Promise<void> {
    return this.#script("start");
  }

  async destroy(): Promise<void> {
    await this.#script("stop").catch(() => {});
    rmSync(this.#home, { recursive: true, force: true });
  }

  async #script(...args: string[]): Promise<void> {
    await run("bash", [SCRIPT, ...args], {
      env: {
        ...process.env,
        KAFKA_NODES: String(this.nodes),
        KAFKA_HOME: this.#home,
        KAFKA_LIBS: SHARED_JARS,
        KAFKA_PORT: String(this.#port),
        KAFKA_CONTROLLER_PORT: String(this.#port + 1),
        KAFKA_HEAP_OPTS: "-Xms128m -Xmx384m",
      },
      timeout: 180_000,
    });
  }
}
