// Where node-llama-cpp looks for a local build of its native addon, and the build metadata it
// expects there, computed by node-llama-cpp's own functions (the same calls getLlama makes), so
// that getLlama({ gpu, build: "never" }) finds what build-cuda.sh places.
//
//   node services/inference/gpu/addon-layout.ts --modules node_modules --gpu cuda|false
//
// Prints JSON: { folderName, binVariant, localBuildsDir, releaseDir, metadataFile, metadata }.
// getLlama loads <localBuildsDir>/<folderName>/Release/llama-addon.node when that folder also holds
// _nlcBuildMetadata.json and <localBuildsDir>/<folderName>/buildDone.status exists.
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

export interface AddonLayout {
  folderName: string;
  binVariant: string;
  localBuildsDir: string;
  releaseDir: string;
  metadataFile: string;
  metadata: unknown;
}

export async function addonLayout(modulesDir: string, gpu: "cuda" | false): Promise<AddonLayout> {
  const dist = join(resolve(modulesDir), "node-llama-cpp", "dist");
  const load = (p: string) => import(pathToFileURL(join(dist, p)).href);
  const [config, types, folder, platform, platformInfo, release, cloned, custom] = await Promise.all([
    load("config.js"),
    load("bindings/types.js"),
    load("bindings/utils/getBuildFolderNameForBuildOptions.js"),
    load("bindings/utils/getPlatform.js"),
    load("bindings/utils/getPlatformInfo.js"),
    load("bindings/utils/binariesGithubRelease.js"),
    load("bindings/utils/cloneLlamaCppRepo.js"),
    load("bindings/utils/resolveCustomCmakeOptions.js"),
  ]);
  // As getLlamaForOptions builds them for a getLlama({ gpu }) call without cmakeOptions.
  const clonedInfo = await cloned.getClonedLlamaCppRepoReleaseInfo();
  const buildOptions = {
    customCmakeOptions: custom.resolveCustomCmakeOptions({}),
    progressLogs: true,
    platform: platform.getPlatform(),
    platformInfo: await platformInfo.getPlatformInfo(),
    arch: process.arch,
    gpu,
    llamaCpp: {
      repo: clonedInfo?.llamaCppGithubRepo ?? config.builtinLlamaCppGitHubRepo,
      release: clonedInfo?.tag ?? release.builtinLlamaCppRelease,
    },
  };
  if (buildOptions.customCmakeOptions.size > 0) {
    throw new Error(
      `custom cmake options from the environment (${[...buildOptions.customCmakeOptions.keys()].join(", ")}) would change node-llama-cpp's build folder name; unset them`,
    );
  }
  const name = await folder.getBuildFolderNameForBuildOptions(buildOptions);
  const localBuildsDir: string = config.llamaLocalBuildBinsDirectory;
  const releaseDir = join(localBuildsDir, name.withCustomCmakeOptions, "Release");
  return {
    folderName: name.withCustomCmakeOptions,
    binVariant: name.binVariant,
    localBuildsDir,
    releaseDir,
    metadataFile: join(releaseDir, config.buildMetadataFileName),
    metadata: { buildOptions: types.convertBuildOptionsToBuildOptionsJSON(buildOptions) },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { modules: { type: "string", default: "node_modules" }, gpu: { type: "string", default: "cuda" } } });
  if (values.gpu !== "cuda" && values.gpu !== "false") throw new Error("--gpu: cuda or false");
  console.log(JSON.stringify(await addonLayout(values.modules, values.gpu === "cuda" ? "cuda" : false)));
}
