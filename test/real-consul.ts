import { provideConsul, type ConsulAgent } from "../replay/consul-provider.js";

/**
 * A real Consul agent for a test file, from the provider chain. With CI=true a missing Consul is
 * an error (the file fails); elsewhere the real-Consul tests are skipped with a loud warning.
 */
export async function realConsulForTests(): Promise<ConsulAgent | undefined> {
  try {
    return await provideConsul();
  } catch (error) {
    if (process.env.CI) throw error;
    console.warn(`\n*** SKIPPING real-Consul tests (set CI=true to make this an error): ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
}
