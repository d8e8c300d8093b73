import { rmdir } from "node:fs/promises";

/**
 * The directory Consul 1.8.7's `agent -dev` creates at start-up and never removes: the path is fixed
 * in its binary (it does not read TMPDIR; checked by starting Debian's consul 1.8.7 with TMPDIR set
 * elsewhere), and the agent leaves it empty.
 */
export const devAgentLeftoverPath = "/tmp/consul-test";

/**
 * Removes what a dev agent of ours left behind, once it has stopped: the directory goes only if it
 * is empty (rmdir refuses otherwise), so nothing anyone stored there is lost. Another dev agent
 * still running does not need it (it stays empty while the agent runs), and every dev agent
 * creates it again when it starts.
 */
export async function removeDevAgentLeftover(path: string = devAgentLeftoverPath): Promise<void> {
  try {
    await rmdir(path);
  } catch {
    // Not there (another stop removed it), not empty, or not ours to remove: leave it as it is.
  }
}
