import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU and memory of processes, read from /proc (Linux). CPU is reported in cores (1.0 = one
 * core busy for the whole interval), the unit that matters on a 2-core machine.
 */

/** Clock ticks per second for utime/stime; 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;
const PAGE_BYTES = 4096;

interface StatLine {
  pid: number;
  ppid: number;
  ticks: number;
  rssBytes: number;
}

function readStat(pid: number): StatLine | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may itself contain spaces or parentheses.
    const rest = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
    // rest[0] is field 3 (state); utime, stime are fields 14, 15; rss is field 24.
    return {
      pid,
      ppid: Number(rest[1]),
      ticks: Number(rest[11]) + Number(rest[12]),
      rssBytes: Number(rest[21]) * PAGE_BYTES,
    };
  } catch {
    return undefined;
  }
}

function allStats(): StatLine[] {
  const out: StatLine[] = [];
  for (const name of readdirSync("/proc")) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

export interface WatchedProcess {
  label: string;
  pid: number;
  /** Count the whole process tree (PostgreSQL backends, a shell's child). */
  tree: boolean;
}

export interface ProcessSample {
  label: string;
  /** Cores used over the last interval. */
  cpu: number;
  rssMiB: number;
  alive: boolean;
}

export interface MachineSample {
  /** Busy cores over the last interval, whole machine (everyone's work, other agents' included). */
  busyCores: number;
  load1: number;
  processes: ProcessSample[];
  /** Busy cores not accounted for by the watched processes. */
  otherCores: number;
}

export class ProcSampler {
  readonly #watched: WatchedProcess[];
  readonly #lastTicks = new Map<string, number>();
  #lastMachine: { busy: number; total: number } | undefined;
  #lastAt = 0;

  constructor(watched: WatchedProcess[]) {
    this.#watched = watched;
  }

  add(process: WatchedProcess): void {
    this.#watched.push(process);
  }

  sample(): MachineSample {
    const at = performance.now();
    const intervalS = this.#lastAt === 0 ? 0 : (at - this.#lastAt) / 1000;
    this.#lastAt = at;
    const needTree = this.#watched.some((w) => w.tree);
    const stats = needTree ? allStats() : [];
    const children = new Map<number, number[]>();
    for (const s of stats) {
      const list = children.get(s.ppid);
      if (list) list.push(s.pid);
      else children.set(s.ppid, [s.pid]);
    }
    const byPid = new Map(stats.map((s) => [s.pid, s]));

    const processes: ProcessSample[] = [];
    let accounted = 0;
    for (const w of this.#watched) {
      let ticks = 0;
      let rss = 0;
      let alive = false;
      const pids = w.tree ? descendants(w.pid, children) : [w.pid];
      for (const pid of pids) {
        const s = byPid.get(pid) ?? readStat(pid);
        if (!s) continue;
        alive = true;
        ticks += s.ticks;
        rss += s.rssBytes;
      }
      const prev = this.#lastTicks.get(w.label);
      this.#lastTicks.set(w.label, ticks);
      // Ticks of children that exited are not in the parent's utime until it reaps them; a
      // negative difference (tree shrank) is clamped rather than reported as negative CPU.
      const cpu = prev === undefined || intervalS === 0 ? 0 : Math.max(0, (ticks - prev) / CLOCK_TICKS / intervalS);
      accounted += cpu;
      processes.push({ label: w.label, cpu, rssMiB: rss / 1048576, alive });
    }

    const machine = readMachine();
    let busyCores = 0;
    if (this.#lastMachine && machine && intervalS > 0) {
      busyCores = (machine.busy - this.#lastMachine.busy) / CLOCK_TICKS / intervalS;
    }
    if (machine) this.#lastMachine = machine;
    return { busyCores, load1: loadAverage(), processes, otherCores: Math.max(0, busyCores - accounted) };
  }
}

function descendants(root: number, children: Map<number, number[]>): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

function readMachine(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

export function loadAverage(): number {
  try {
    return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  } catch {
    return Number.NaN;
  }
}

/** Reads a pid file (Kafka's, PostgreSQL's postmaster.pid: pid on the first line). */
export function pidFromFile(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, "utf8").split("\n")[0]!.trim());
    return Number.isInteger(pid) && pid > 0 && readStat(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Static facts about the machine for the report header. */
export function machineFacts(): { cores: number; memGiB: number; cpuModel: string } {
  let cpuModel = "unknown";
  let cores = 0;
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    cores = (info.match(/^processor\s*:/gm) ?? []).length;
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? cpuModel;
  } catch {
    /* not Linux */
  }
  let memGiB = 0;
  try {
    const kb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0);
    memGiB = Math.round((kb / 1048576) * 10) / 10;
  } catch {
    /* not Linux */
  }
  return { cores, memGiB, cpuModel };
}
