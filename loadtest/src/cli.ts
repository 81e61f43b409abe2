// Load-test driver: `npm run loadtest -w loadtest -- --profile steady|daily|burst|ramp [options]`
// (`--help` lists them). Starts the sidecar test double and the workers unless told they run
// already, publishes a traffic profile to the real local Kafka, measures, and writes a report
// (report.json, report.md, SVG/PNG charts) into .cache/loadtest/runs/<run>/.
// Traffic goes only to the local broker and the processes this driver starts; every run is
// bounded in documents (--max-documents) and time (--max-seconds).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline";
import { Kafka, logLevel, Partitioners, type KafkaConfig } from "kafkajs";
import { kafkaConnectionOptions } from "@liability/platform";
import { FAKE_INFERENCE_SIDECAR_MAIN } from "@liability/test-support";
import { OutcomeCollector, LagSampler, sampleSidecar } from "./collector.ts";
import { parseCli, type LoadtestArgs } from "./config.ts";
import { loadLabelledJsonl } from "./corpus.ts";
import { waitForServing } from "./health.ts";
import { OtlpMetricsReceiver } from "./otlp-receiver.ts";
import { createRunSchema, dropRunSchema, tableSizes, type TableSize } from "./database.ts";
import { loadAverage, machineFacts, pidFromFile, ProcSampler, type WatchedProcess } from "./procstat.ts";
import { runPacedProducer, type ProducerResult } from "./producer.ts";
import { buildProfile, type Profile } from "./profiles.ts";
import { backlogSpec, cpuSpec, fmtMs, latencySpec, phaseTable, saturationLine, saturationSpec, throughputSpec, writeChart } from "./report.ts";
import { nowMs, RunState } from "./run-state.ts";
import { findSaturation, phaseResults, round, summarise, timeline, type Sample } from "./stats.ts";
import { CACHE_DIR, REPO_ROOT } from "./paths.ts";
import { writeFlameGraph } from "./draw-flamegraph.ts";
import { profileFiles, summariseProfiles } from "./profile-summary.ts";

interface Topics {
  documents: string;
  deadLetters: string;
  recorded: string;
}

const children: { label: string; child: ChildProcess }[] = [];

function log(line: string): void {
  process.stderr.write(`[loadtest] ${line}\n`);
}

function expectedDocuments(profile: Profile): number {
  let total = 0;
  for (let t = 0; t < profile.durationS; t += 0.01) total += profile.rate(t + 0.005) * 0.01;
  return Math.ceil(total);
}

function runIdNow(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}t${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Environment for the pinned Node: spawned processes must not pick up the machine's older one. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${join(REPO_ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}`, ...extra };
}

/** Starts a command in its own process group, so that stopping it reaches its children and nothing else. */
function startProcess(label: string, command: string, env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const out = createWriteStream(logFile);
  const child = spawn("bash", ["-c", `exec ${command}`], { cwd: REPO_ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  children.push({ label, child });
  return child;
}

async function stopProcess(label: string, child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = new Promise<boolean>((r) => setTimeout(() => r(false), graceMs));
  if ((await Promise.race([exited.then(() => true), timer])) === false) {
    log(`${label} did not stop within ${graceMs / 1000} s; killing it`);
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
    await exited;
  }
}

async function startFakeSidecar(args: LoadtestArgs, address: string, out: string): Promise<{ statsUrl: string; pid: number; child: ChildProcess }> {
  const env = childEnv({
    FAKE_SIDECAR_ADDRESS: address,
    FAKE_SIDECAR_LABELS: resolve(args.corpus),
    FAKE_SIDECAR_LATENCY: args.latency,
    FAKE_SIDECAR_SLOTS: String(args.slots),
    FAKE_SIDECAR_MAX_QUEUE: String(args.maxQueue),
    FAKE_SIDECAR_SEED: String(args.seed),
    ...(args.confidence !== undefined ? { FAKE_SIDECAR_CONFIDENCE: String(args.confidence) } : {}),
  });
  const child = spawn(join(REPO_ROOT, "node_modules", ".bin", "node"), [FAKE_INFERENCE_SIDECAR_MAIN], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push({ label: "fake sidecar", child });
  const logStream = createWriteStream(join(out, "fake-sidecar.log"));
  child.stderr!.pipe(logStream);
  const lines = createInterface({ input: child.stdout! });
  return await new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error("FakeInferenceSidecar did not start within 30 s; see fake-sidecar.log")), 30_000);
    child.once("exit", (code) => reject(new Error(`FakeInferenceSidecar exited with ${code}; see fake-sidecar.log`)));
    lines.on("line", (line) => {
      logStream.write(`${line}\n`);
      try {
        const msg = JSON.parse(line) as { event?: string; statsUrl?: string; pid?: number };
        if (msg.event === "ready" && msg.statsUrl && msg.pid) {
          clearTimeout(timer);
          resolveReady({ statsUrl: msg.statsUrl, pid: msg.pid, child });
        }
      } catch {
        /* log line */
      }
    });
  });
}

/**
 * The worker's environment for a run. Names follow services/worker's configuration; the driver
 * only points it at the run's topics, group and sidecar, everything else is the worker's default.
 */
function workerEnvironment(
  topics: Topics,
  group: string,
  sidecarAddress: string | undefined,
  schema: string | undefined,
  extra: string[],
): Record<string, string> {
  const env: Record<string, string> = {
    KAFKA_TOPIC_DOCUMENTS: topics.documents,
    KAFKA_TOPIC_DLQ: topics.deadLetters,
    KAFKA_TOPIC_LIABILITY_RECORDED: topics.recorded,
    KAFKA_CONSUMER_GROUP: group,
    LOG_LEVEL: "warn",
  };
  if (sidecarAddress) env.INFERENCE_ADDRESS = sidecarAddress;
  if (schema) env.DATABASE_SCHEMA = schema;
  for (const kv of extra) {
    const i = kv.indexOf("=");
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

async function waitForGroup(kafka: Kafka, group: string, members: number, timeoutMs: number): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const { groups } = await admin.describeGroups([group]);
      const g = groups[0];
      if (g && g.state === "Stable" && g.members.length >= members) return true;
      for (const { label, child } of children) {
        if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode} before joining; see its log`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return false;
  } finally {
    await admin.disconnect();
  }
}

function gitCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const { args, env, kafka: kafkaConfig } = parseCli(process.argv.slice(2));
  // npm runs workspace scripts inside loadtest/; relative paths on the command line mean the
  // directory the command was typed in, which npm passes as INIT_CWD.
  const callerDir = process.env.INIT_CWD ?? process.cwd();
  if (args.out) args.out = resolve(callerDir, args.out);
  args.corpus = resolve(callerDir, args.corpus);
  // The worker's own setting: its production entry point picks the client.
  if (args.kafkaClient) args.workerEnv.push(`KAFKA_CLIENT=${args.kafkaClient}`);
  const runId = runIdNow();
  const out = resolve(args.out ?? join(CACHE_DIR, "runs", `${runId}-${args.profile}`));
  mkdirSync(out, { recursive: true });

  const profile = buildProfile(args.profile, {
    rate: args.rate,
    durationS: args.duration,
    maxRate: args.maxRate,
    stepS: args.stepS,
    burstFactor: args.burstFactor,
    burstS: args.burstS,
  });
  const expected = expectedDocuments(profile);
  const capacity = Math.min(args.maxDocuments, expected + 10);
  if (expected > args.maxDocuments) log(`profile offers ${expected} documents; capped at --max-documents ${args.maxDocuments}`);
  const documents = loadLabelledJsonl(args.corpus);
  const state = new RunState(runId, capacity);

  // The platform's options match kafkajs's shape except for the SASL union's typing.
  const kafka = new Kafka({ ...kafkaConnectionOptions(kafkaConfig), clientId: `loadtest-${runId}`, logLevel: logLevel.ERROR } as KafkaConfig);
  const topicsMode = args.topics ?? (args.worker === "spawn" ? "dedicated" : "shared");
  const topics: Topics =
    topicsMode === "dedicated"
      ? { documents: `loadtest.${runId}.documents`, deadLetters: `loadtest.${runId}.dlq`, recorded: `loadtest.${runId}.recorded` }
      : { documents: env.LOADTEST_TOPIC_DOCUMENTS, deadLetters: env.LOADTEST_TOPIC_DLQ, recorded: env.LOADTEST_TOPIC_LIABILITY_RECORDED };
  const workerGroup = topicsMode === "dedicated" ? `loadtest-${runId}-worker` : env.LOADTEST_WORKER_GROUP;
  const databaseMode = args.database ?? (args.worker === "spawn" ? "dedicated" : "shared");
  const schema = databaseMode === "dedicated" ? `loadtest_${runId.replace(/-/g, "_")}` : undefined;

  log(`run ${runId}: ${profile.description}; ~${expected} documents; corpus ${relative(REPO_ROOT, resolve(args.corpus))} (${documents.length} labelled)`);
  log(`report folder ${out}`);

  const abort = new AbortController();
  let stopReason = "profile complete";
  const onSignal = () => {
    stopReason = "interrupted";
    abort.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const hardStop = setTimeout(() => {
    stopReason = `--max-seconds ${args.maxSeconds} reached`;
    abort.abort();
  }, args.maxSeconds * 1000);

  const admin = kafka.admin();
  await admin.connect();
  const cleanupTopics = async () => {
    if (topicsMode !== "dedicated" || args.keepTopics) return;
    await admin.deleteTopics({ topics: [topics.documents, topics.deadLetters, topics.recorded] }).catch(() => {});
  };

  const watched: WatchedProcess[] = [{ label: "loadtest driver", pid: process.pid, tree: false }];
  const kafkaPid = pidFromFile(resolve(REPO_ROOT, env.LOADTEST_KAFKA_PID_FILE));
  if (kafkaPid) watched.push({ label: "kafka", pid: kafkaPid, tree: true });
  const pgPid = pidFromFile(resolve(REPO_ROOT, env.LOADTEST_POSTGRES_PID_FILE));
  if (pgPid) watched.push({ label: "postgresql", pid: pgPid, tree: true });

  let sidecarStatsUrl = args.sidecarStatsUrl;
  const otlp = new OtlpMetricsReceiver();
  let otlpEndpoint: string | undefined;
  const realSidecarAddresses: string[] = [];
  let sidecarFinal: Record<string, number> | undefined;
  let producerResult: ProducerResult | undefined;
  let storage: TableSize[] | undefined;
  const samples: Sample[] = [];
  const collector = new OutcomeCollector({
    kafka,
    recordedTopic: topics.recorded,
    deadLetterTopic: topics.deadLetters,
    state,
    groupId: `loadtest-${runId}-collector`,
  });
  const lagSampler = new LagSampler(kafka, workerGroup, topics.documents);
  const loadAtStart = loadAverage();
  const startedIso = new Date().toISOString();

  try {
    if (topicsMode === "dedicated") {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: topics.documents, numPartitions: args.partitions, replicationFactor: 1 },
          { topic: topics.deadLetters, numPartitions: Math.min(3, args.partitions), replicationFactor: 1 },
          { topic: topics.recorded, numPartitions: args.partitions, replicationFactor: 1 },
        ],
      });
      log(`created topics ${topics.documents} (${args.partitions} partitions), ${topics.deadLetters}, ${topics.recorded}`);
    }
    if (schema) {
      await createRunSchema(env.LOADTEST_DATABASE_ADMIN_URL, schema);
      log(`created database schema ${schema}`);
    }

    let sidecarAddress = args.sidecarAddress;
    if (args.sidecar === "fake") {
      // Unix socket paths are limited to 107 bytes, so the socket lives in /tmp rather than the run folder.
      sidecarAddress ??= `unix:/tmp/lre-loadtest-${runId}.sock`;
      const fake = await startFakeSidecar(args, sidecarAddress, out);
      sidecarStatsUrl = fake.statsUrl;
      watched.push({ label: "fake sidecar", pid: fake.pid, tree: false });
      log(`FakeInferenceSidecar on ${sidecarAddress} (latency ${args.latency}, ${args.slots} slots)`);
    } else if (args.sidecar === "real") {
      // One sidecar per worker, as in production (same pod); queue depth arrives as the
      // sidecar's own OpenTelemetry gauge through the driver's OTLP receiver.
      otlpEndpoint = await otlp.start();
      for (let i = 0; i < args.workers; i++) {
        const address = `unix:/tmp/lre-loadtest-${runId}-inference-${i + 1}.sock`;
        realSidecarAddresses.push(address);
        const extra: Record<string, string> = {
          INFERENCE_LISTEN_ADDRESS: address,
          OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
          OTEL_METRIC_EXPORT_INTERVAL_MS: "1000",
          LOG_LEVEL: "warn",
        };
        for (const kv of args.sidecarEnv) extra[kv.slice(0, kv.indexOf("="))] = kv.slice(kv.indexOf("=") + 1);
        const child = startProcess(`sidecar ${i + 1}`, env.LOADTEST_SIDECAR_COMMAND, childEnv(extra), join(out, `sidecar-${i + 1}.log`));
        if (child.pid) watched.push({ label: args.workers === 1 ? "sidecar" : `sidecar ${i + 1}`, pid: child.pid, tree: true });
      }
      for (const address of realSidecarAddresses) {
        await waitForServing(address, 300_000, () => children.every(({ child }) => child.exitCode === null));
      }
      log(`${realSidecarAddresses.length} real sidecar(s) serving (${args.sidecarEnv.join(" ") || "defaults"})`);
    } else if (args.sidecarPid) {
      watched.push({ label: "sidecar", pid: args.sidecarPid, tree: true });
    }

    if (args.worker === "spawn") {
      const workerEnv = childEnv(workerEnvironment(topics, workerGroup, sidecarAddress, schema, args.workerEnv));
      if (args.cpuProf) {
        mkdirSync(join(out, "prof"), { recursive: true });
        workerEnv.NODE_OPTIONS = `${workerEnv.NODE_OPTIONS ?? ""} --cpu-prof --cpu-prof-dir=${join(out, "prof")}`.trim();
      }
      for (let i = 0; i < args.workers; i++) {
        const perWorker = realSidecarAddresses[i] ? { ...workerEnv, INFERENCE_ADDRESS: realSidecarAddresses[i] } : workerEnv;
        const child = startProcess(`worker ${i + 1}`, env.LOADTEST_WORKER_COMMAND, perWorker, join(out, `worker-${i + 1}.log`));
        if (child.pid) watched.push({ label: args.workers === 1 ? "worker" : `worker ${i + 1}`, pid: child.pid, tree: true });
      }
      log(`started ${args.workers} worker(s): ${env.LOADTEST_WORKER_COMMAND}; waiting for group ${workerGroup}`);
      if (!(await waitForGroup(kafka, workerGroup, args.workers, 90_000))) {
        throw new Error(`workers did not join group ${workerGroup} within 90 s; see worker-*.log in ${out}`);
      }
    } else {
      args.workerPid.forEach((pid, i) => {
        watched.push({ label: args.workerPid.length === 1 ? "worker" : `worker ${i + 1}`, pid, tree: true });
      });
    }

    await collector.start();
    const procSampler = new ProcSampler(watched);
    procSampler.sample();

    const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();

    let startMs = nowMs();
    let saturatedFor = 0;
    let sampling = true;
    let lastProgress = 0;
    const sampler = (async () => {
      while (sampling) {
        await new Promise((r) => setTimeout(r, 1000));
        const t = (nowMs() - startMs) / 1000;
        const [lag, fakeStats] = await Promise.all([lagSampler.sample(), sampleSidecar(sidecarStatsUrl)]);
        const sidecar =
          fakeStats ??
          (otlpEndpoint
            ? { queued: otlp.latest.get("inference.queue.depth") ?? Number.NaN, inFlight: otlp.latest.get("inference.sequences.active") ?? Number.NaN }
            : undefined);
        const backlog = state.published - state.completed - state.publishErrors;
        const machine = procSampler.sample();
        samples.push({ t, lag, backlog, sidecar, machine });
        const rate = profile.rate(Math.min(t, profile.durationS - 1e-6));
        if (profile.stopOnSaturation && !abort.signal.aborted && t < profile.durationS) {
          saturatedFor = backlog > args.saturationBacklogS * rate ? saturatedFor + 1 : 0;
          if (saturatedFor >= 3) {
            stopReason = `saturated: ${backlog} documents waiting at ${Math.round(rate)}/s offered`;
            log(stopReason);
            abort.abort();
          }
        }
        if (t - lastProgress >= 5) {
          lastProgress = t;
          const recent = samples.slice(-5);
          const done = state.completed;
          log(
            `${t.toFixed(0).padStart(5)}s offered ${Math.round(rate)}/s published ${state.published} completed ${done} ` +
              `backlog ${backlog} lag ${lag ?? "?"} sidecar queue ${sidecar?.queued ?? "–"} busy ${recent.at(-1)?.machine.busyCores.toFixed(2)} cores`,
          );
        }
      }
    })();

    startMs = nowMs();
    producerResult = await runPacedProducer({
      producer,
      topic: topics.documents,
      documents,
      profile,
      state,
      tickMs: args.tickMs,
      maxInFlight: 8,
      tenants: args.tenants,
      signal: abort.signal,
    });
    startMs = producerResult.startedAtMs;
    await producer.disconnect();
    log(`published ${producerResult.published} of ${producerResult.offered} offered (${state.publishErrors} publish errors); draining`);

    const drainUntil = Date.now() + args.drainS * 1000;
    while (state.completed < state.published - state.publishErrors && Date.now() < drainUntil && stopReason !== "interrupted") {
      await new Promise((r) => setTimeout(r, 250));
    }
    // One more sample after the last outcome, so the charts show the drained state.
    await new Promise((r) => setTimeout(r, 1100));
    sampling = false;
    await sampler;
    sidecarFinal = await sampleSidecar(sidecarStatsUrl);
  } finally {
    if (schema) {
      storage = await tableSizes(env.LOADTEST_DATABASE_ADMIN_URL, schema).catch(() => undefined);
    }
    clearTimeout(hardStop);
    await collector.stop().catch(() => {});
    await lagSampler.close().catch(() => {});
    for (const { label, child } of [...children].reverse()) await stopProcess(label, child);
    await otlp.stop().catch(() => {});
    await cleanupTopics();
    await admin.disconnect();
    if (schema && !args.keepSchema) await dropRunSchema(env.LOADTEST_DATABASE_ADMIN_URL, schema).catch(() => {});
  }

  if (!producerResult) return;
  const startMs = producerResult.startedAtMs;
  const points = timeline(state, startMs, producerResult.offeredPerSecond, samples);
  // A run stopped early (saturation, interrupt) analyses only the phases it reached.
  const reachedS = (producerResult.endedAtMs - startMs) / 1000;
  const reached = profile.phases.filter((p) => p.fromS < reachedS - 1).map((p) => ({ ...p, toS: Math.min(p.toS, reachedS) }));
  const phases = phaseResults(state, startMs, reached, points, profile.rate);
  const observed: number[] = [];
  const commit: number[] = [];
  for (let i = 0; i < state.published; i++) {
    const o = state.observedLatency[i]!;
    if (!Number.isNaN(o)) observed.push(o);
    const c = state.commitLatency[i]!;
    if (!Number.isNaN(c)) commit.push(c);
  }
  // Throughput over the window in which outcomes arrived: the producer may finish long before
  // a saturated system drains, so dividing by the profile's length would overstate it.
  let lastDone = startMs;
  for (let i = 0; i < state.published; i++) {
    const o = state.observedLatency[i]!;
    if (!Number.isNaN(o)) lastDone = Math.max(lastDone, state.sentAt[i]! + o);
  }
  const activeS = Math.max(1, (lastDone - startMs) / 1000);
  let peak10 = 0;
  for (let i = 0; i + 10 <= points.length; i++) {
    let sum = 0;
    for (let j = i; j < i + 10; j++) sum += points[j]!.completed;
    peak10 = Math.max(peak10, sum / 10);
  }
  // CPU per completed document is the figure the capacity model scales from: unlike a rate it
  // does not depend on how much of the machine other work left to the process.
  const resources: Record<string, { meanCpu: number; maxCpu: number; maxRssMiB: number; cpuMsPerDocument: number }> = {};
  const cpuSeconds: Record<string, number> = {};
  for (let k = 0; k < samples.length; k++) {
    const dt = k === 0 ? samples[0]!.t : samples[k]!.t - samples[k - 1]!.t;
    for (const p of samples[k]!.machine.processes) cpuSeconds[p.label] = (cpuSeconds[p.label] ?? 0) + p.cpu * dt;
  }
  for (const p of points) {
    for (const [label, cpu] of Object.entries(p.cpu)) {
      const r = (resources[label] ??= { meanCpu: 0, maxCpu: 0, maxRssMiB: 0, cpuMsPerDocument: 0 });
      r.meanCpu += cpu / points.length;
      r.maxCpu = Math.max(r.maxCpu, cpu);
      r.maxRssMiB = Math.max(r.maxRssMiB, p.rssMiB[label] ?? 0);
    }
  }
  for (const [label, r] of Object.entries(resources)) {
    r.meanCpu = round(r.meanCpu, 2);
    r.maxCpu = round(r.maxCpu, 2);
    r.cpuMsPerDocument = round(((cpuSeconds[label] ?? 0) * 1000) / Math.max(1, state.completed), 3);
  }
  const saturation = profile.stopOnSaturation ? findSaturation(phases, args.p99Target) : undefined;
  const unfinished = state.published - state.completed - state.publishErrors;

  const report = {
    run: {
      id: runId,
      profile: profile.name,
      description: profile.description,
      label: args.label ?? null,
      stopReason,
      command: `npm run loadtest -w loadtest -- ${process.argv.slice(2).join(" ")}`,
      started: startedIso,
      gitCommit: gitCommit(),
      machine: { ...machineFacts(), load1AtStart: loadAtStart },
    },
    setup: {
      sidecar:
        args.sidecar === "fake"
          ? { kind: "FakeInferenceSidecar", latency: args.latency, slots: args.slots, maxQueue: args.maxQueue }
          : args.sidecar === "real"
            ? { kind: "real (services/inference)", count: realSidecarAddresses.length, command: env.LOADTEST_SIDECAR_COMMAND, extraEnv: args.sidecarEnv }
            : { kind: "external" },
      workers:
        args.worker === "spawn" ? { spawned: args.workers, command: env.LOADTEST_WORKER_COMMAND, extraEnv: args.workerEnv } : { external: args.workerPid },
      topics: { mode: topicsMode, ...topics, partitions: topicsMode === "dedicated" ? args.partitions : null },
      database: { mode: databaseMode, schema: schema ?? null },
      workerGroup,
      corpus: { path: relative(REPO_ROOT, resolve(args.corpus)), labelledDocuments: documents.length },
      p99TargetMs: args.p99Target,
    },
    totals: {
      offered: producerResult.offered,
      published: state.published,
      publishErrors: state.publishErrors,
      producerBehind: producerResult.behind,
      completed: state.completed,
      accepted: collector.counters.accepted,
      review: collector.counters.review,
      deadLetters: collector.counters.deadLetters,
      deadLetterReasons: collector.counters.deadLetterReasons,
      reviewReasons: collector.counters.reviewReasons,
      unfinished,
      duplicates: state.duplicates,
      foreignEvents: state.foreign,
      undecodableEvents: collector.counters.undecodable,
    },
    throughput: {
      outcomeWindowSeconds: round(activeS),
      meanCompletedPerSecond: round(state.completed / Math.max(1, activeS)),
      peak10sCompletedPerSecond: round(peak10),
    },
    latencyMs: { observed: summarise(observed), commit: summarise(commit) },
    saturation: saturation ?? null,
    phases,
    sidecarFinal: sidecarFinal ?? null,
    storage: storage ?? null,
    resources,
    timeline: points,
  };
  writeFileSync(join(out, "report.json"), `${JSON.stringify(report, null, 1)}\n`);

  const sidecarText =
    args.sidecar === "fake"
      ? `FakeInferenceSidecar ${args.latency}`
      : args.sidecar === "real"
        ? `real sidecar ×${realSidecarAddresses.length} ${args.sidecarEnv.join(" ")}`.trim()
        : "external sidecar";
  const subtitle = `${profile.description} · ${sidecarText} · ${args.workers} worker(s) · ${startedIso.slice(0, 16)}Z`;
  const charts: string[] = [];
  charts.push(...(await writeChart(out, "latency", latencySpec(points, subtitle, args.p99Target), args.png)));
  charts.push(...(await writeChart(out, "throughput", throughputSpec(points, subtitle), args.png)));
  charts.push(...(await writeChart(out, "backlog", backlogSpec(points, subtitle), args.png)));
  charts.push(...(await writeChart(out, "cpu", cpuSpec(points, subtitle), args.png)));
  if (saturation) charts.push(...(await writeChart(out, "saturation", saturationSpec(phases, subtitle, args.p99Target), args.png)));

  const o = report.latencyMs.observed;
  const c = report.latencyMs.commit;
  const md = [
    `# Load test ${runId}: ${profile.name}`,
    "",
    `- ${profile.description}; stopped: ${stopReason}`,
    `- command: \`${report.run.command}\``,
    `- machine: ${report.run.machine.cores} cores (${report.run.machine.cpuModel}), ${report.run.machine.memGiB} GiB; load average at start ${loadAtStart}; commit ${report.run.gitCommit}`,
    `- sidecar: ${args.sidecar === "fake" ? `FakeInferenceSidecar, service time ${args.latency}, ${args.slots} slots` : sidecarText}; workers: ${args.worker === "spawn" ? args.workers : "external"}; topics: ${topicsMode}${topicsMode === "dedicated" ? `, ${args.partitions} partitions` : ""}`,
    `- published ${state.published} of ${producerResult.offered} offered; completed ${state.completed} (accepted ${collector.counters.accepted}, review ${collector.counters.review}, dead letters ${collector.counters.deadLetters}); unfinished ${unfinished}; duplicates ${state.duplicates}; publish errors ${state.publishErrors}`,
    ...(collector.counters.review > 0
      ? [
          `- review reasons: ${Object.entries(collector.counters.reviewReasons)
            .sort((a, b) => b[1] - a[1])
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}`,
        ]
      : []),
    `- throughput: mean ${report.throughput.meanCompletedPerSecond}/s, best 10 s ${report.throughput.peak10sCompletedPerSecond}/s`,
    `- end-to-end latency (received_at → LiabilityRecorded seen): p50 ${fmtMs(o.p50)} ms, p90 ${fmtMs(o.p90)}, p99 ${fmtMs(o.p99)}, p99.9 ${fmtMs(o.p999)}, max ${fmtMs(o.max)}`,
    `- to commit (received_at → recorded_at): p50 ${fmtMs(c.p50)} ms, p99 ${fmtMs(c.p99)}, max ${fmtMs(c.max)}`,
    ...(saturation ? [`- saturation: ${saturationLine(saturation)}`] : []),
    ...(storage ? [`- storage per row (table+indexes+TOAST): ${storage.map((t) => `${t.table} ${t.bytesPerRow} B × ${t.rows}`).join("; ")}`] : []),
    `- CPU (mean cores / CPU ms per document / max RSS MiB): ${Object.entries(resources)
      .map(([k, r]) => `${k} ${r.meanCpu} / ${r.cpuMsPerDocument} / ${Math.round(r.maxRssMiB)}`)
      .join("; ")}`,
    "",
    phaseTable(phases),
    "",
    ...charts.filter((f) => f.endsWith(".svg")).map((f) => `![${f}](${f})`),
    "",
  ].join("\n");
  writeFileSync(join(out, "report.md"), md);
  if (args.cpuProf) {
    try {
      const profDir = join(out, "prof");
      const files = profileFiles(profDir);
      const flameGraphPath = join(out, "flamegraph.svg");
      const flameGraph = files.length > 0 ? writeFlameGraph(flameGraphPath, files, args.png) : [];
      const flameGraphSection = flameGraph.length
        ? [
            "## CPU flame graph",
            "",
            "All worker profiles merged; width is the share of non-idle samples, hover a frame for its file and share.",
            `Drawn again by \`node loadtest/src/draw-flamegraph.ts --out ${flameGraphPath} ${profDir}\`.`,
            "",
            "![CPU flame graph of the workers](flamegraph.svg)",
            "",
            "",
          ].join("\n")
        : "";
      writeFileSync(join(out, "profile.md"), `${flameGraphSection}${summariseProfiles(profDir)}`);
      log(`CPU profile summary: ${join(out, "profile.md")}${flameGraph.length ? `, flame graph: ${flameGraph.join(", ")}` : ""}`);
    } catch (err) {
      log(`no CPU profile to summarise (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  process.stdout.write(`${md}\nreport: ${isAbsolute(out) ? out : resolve(out)}\n`);
}

try {
  await main();
} catch (err) {
  for (const { label, child } of [...children].reverse()) await stopProcess(label, child, 5000);
  log(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
