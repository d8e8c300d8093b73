// Where locksim itself is installed, so the CLI finds its own package.json and shipped scenarios
// wherever it runs: from cli/ in the repo (vite-node), from dist/cli/ after a build, or from
// node_modules/locksim/dist/cli/ in a user's project.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocksimError } from "../src/errors.js";

/** locksim's own package.json could not be found above the running module (a broken install). */
export class PackageRootError extends LocksimError {}

function isLocksimPackage(dir: string): boolean {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { name?: unknown }).name === "locksim";
  } catch {
    return false;
  }
}

/**
 * The directory that holds locksim's package.json, found by walking up from `fromUrl` (default:
 * this module). The depth differs between the source tree and the build, hence the walk rather
 * than a fixed `../..`. Throws PackageRootError when no ancestor is locksim's package.
 */
export function packageRoot(fromUrl: string = import.meta.url): string {
  const start = dirname(fileURLToPath(fromUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (isLocksimPackage(dir)) return dir;
    if (dirname(dir) === dir) throw new PackageRootError(`cannot find locksim's package.json above ${start}`, { start });
  }
}

/** locksim's version as its package.json states it at run time (e.g. "0.1.0"). */
export function packageVersion(root: string = packageRoot()): string {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: unknown };
  if (typeof pkg.version !== "string") throw new PackageRootError(`${join(root, "package.json")} has no version`, { root });
  return pkg.version;
}
