// The node_modules the sidecar and the GPU bench need on a machine without a registry: the
// dependency closure of the workspace packages they import, resolved as Node resolves it
// (nearest node_modules upwards), without the prebuilt llama.cpp binaries (the GPU machine
// builds its own) and without what only development needs.
//
//   node services/inference/gpu/modules.ts [--root DIR]   # prints one path per line, relative to DIR
//
// Printed: each package folder (node_modules/...), and the workspace links
// (node_modules/@liability/*), which tar keeps as links to the tracked sources.
import { existsSync, lstatSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** Workspace packages the sidecar (src/main.ts) and the benches import. */
export const WORKSPACE_ROOTS = ["services/inference", "services/platform", "services/domain", "proto"];

/** Never carried: prebuilt binaries (hundreds of MB; the GPU machine builds its own), types, compilers. */
export function isExcluded(name: string): boolean {
  return name.startsWith("@node-llama-cpp/") || name.startsWith("@types/") || name === "typescript" || name === "node";
}

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
}

/** Node's lookup: <dir>/node_modules/<name>, then the same from each parent, up to the root. */
function resolvePackageDir(fromDir: string, name: string, root: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

export function moduleClosure(root: string): string[] {
  root = resolve(root);
  const out = new Set<string>();
  const seen = new Set<string>();
  const queue: string[] = WORKSPACE_ROOTS.map((p) => join(root, p));
  // Workspace packages are reached through their links in node_modules/@liability.
  for (const ws of WORKSPACE_ROOTS) {
    const name = readPackage(join(root, ws)).name!;
    const link = join(root, "node_modules", name);
    if (existsSync(link) && lstatSync(link).isSymbolicLink()) out.add(relative(root, link));
  }
  while (queue.length > 0) {
    const dir = queue.shift()!;
    const real = realpathSync(dir);
    if (seen.has(real)) continue;
    seen.add(real);
    const pkg = readPackage(dir);
    const deps = { ...pkg.dependencies, ...pkg.optionalDependencies };
    for (const name of Object.keys(deps)) {
      if (isExcluded(name)) continue;
      const found = resolvePackageDir(real, name, root);
      if (found === undefined) {
        // An optional dependency for another platform is legitimately absent.
        if (pkg.optionalDependencies?.[name] !== undefined) continue;
        throw new Error(`${relative(root, real) || "."}: dependency ${name} not found in node_modules`);
      }
      const rel = relative(root, found);
      if (lstatSync(found).isSymbolicLink()) out.add(rel);
      else if (rel.startsWith("node_modules")) out.add(rel);
      queue.push(found);
    }
  }
  // A package nested inside another one that is already listed travels with it.
  const sorted = [...out].sort();
  return sorted.filter((p) => !sorted.some((q) => q !== p && p.startsWith(`${q}/`) && !lstatSync(join(root, q)).isSymbolicLink()));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { root: { type: "string", default: fileURLToPath(new URL("../../../", import.meta.url)) } } });
  for (const p of moduleClosure(values.root)) console.log(p);
}
