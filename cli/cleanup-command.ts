import { InputError } from "../src/errors.js";
import { isLoopbackAddr, normalizeConsulAddr } from "../replay/consul-provider.js";
import { findLeftovers, locksimKeyPrefixes, locksimSessionNamePrefix, removeLeftovers, type Leftovers } from "../replay/leftovers.js";
import { preflightConsul } from "../replay/preflight.js";
import { exitCodes } from "./exit-codes.js";

/** Flags of `locksim cleanup`. */
export interface CleanupFlags {
  consulAddr?: string;
  allowRemote?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** Consul's own default HTTP address, used when neither --consul-addr nor CONSUL_HTTP_ADDR is given. */
const consulDefaultAddr = "http://127.0.0.1:8500";

/** The agent cleanup talks to: --consul-addr, else CONSUL_HTTP_ADDR, else Consul's default; loopback unless allowed. */
export function cleanupTarget(flags: CleanupFlags, env: NodeJS.ProcessEnv = process.env): string {
  const [raw, source] = flags.consulAddr ? [flags.consulAddr, "--consul-addr"] : env.CONSUL_HTTP_ADDR ? [env.CONSUL_HTTP_ADDR, "CONSUL_HTTP_ADDR"] : [consulDefaultAddr, "the default address"];
  const addr = normalizeConsulAddr(raw, source);
  if (!isLoopbackAddr(addr) && !flags.allowRemote) {
    throw new InputError(`${source} ${addr} is not on loopback; cleanup deletes keys and sessions there, so pass --allow-remote to use it`, { field: source, addr });
  }
  return addr;
}

/**
 * `locksim cleanup`: removes what interrupted or killed runs left on an agent: every key under
 * locksim's prefixes and every session locksim named (or that holds such a key). With --dry-run it
 * only lists them. Exit 0 when nothing of locksim's is left (or, dry, always), 1 when something
 * could not be removed, 2 when the agent cannot be used (preflight).
 */
export async function cleanupCommand(flags: CleanupFlags): Promise<number> {
  const addr = cleanupTarget(flags);
  const token = process.env.CONSUL_HTTP_TOKEN;
  await preflightConsul({ addr, token, write: !flags.dryRun });
  const target = { addr, token };
  const startedMs = performance.now();
  const found = await findLeftovers(target);
  const removal = flags.dryRun || (found.keys.length === 0 && found.sessions.length === 0) ? undefined : await removeLeftovers(target, found);
  const tookMs = Math.round(performance.now() - startedMs);
  const left = removal ? removal.left : flags.dryRun ? undefined : found;
  const clean = !left || (left.keys.length === 0 && left.sessions.length === 0);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ addr, dryRun: Boolean(flags.dryRun), found, removed: removal?.removed ?? { sessions: 0, keys: 0 }, left: left ?? null, tookMs }, null, 2)}\n`);
  } else {
    const out = [`locksim cleanup: Consul at ${addr}; keys under ${locksimKeyPrefixes.join(", ")}; sessions named ${locksimSessionNamePrefix}* or holding such a key`, ...describe("found", found)];
    if (flags.dryRun) out.push("dry run: nothing removed (run without --dry-run to remove them)");
    else if (removal) out.push(`removed ${removal.removed.sessions} session(s) and ${removal.removed.keys} key(s) in ${tookMs}ms`);
    if (left && !clean) out.push(...describe("STILL LEFT (another run may be writing meanwhile)", left));
    else if (!flags.dryRun) out.push("nothing of locksim's is left on this agent");
    process.stdout.write(`${out.join("\n")}\n`);
  }
  return clean ? exitCodes.met : exitCodes.failed;
}

/** Lists sessions and keys, at most 50 of each. */
function describe(title: string, l: Leftovers): string[] {
  const max = 50;
  const more = (n: number): string[] => (n > max ? [`  … and ${n - max} more`] : []);
  return [
    `${title}: ${l.sessions.length} session(s), ${l.keys.length} key(s)`,
    ...l.sessions.slice(0, max).map((s) => `  session ${s.id} ${JSON.stringify(s.name)} on ${s.node} (${s.reason})`),
    ...more(l.sessions.length),
    ...l.keys.slice(0, max).map((k) => `  key ${k}`),
    ...more(l.keys.length),
  ];
}
