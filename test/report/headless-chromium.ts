import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's chromium package (.ci/run installs it); playwright-core drives it, no bundled browser download. */
export const chromiumPath = "/usr/bin/chromium";

/** Flags that keep a headless Chromium off the network: no sync, no component updates, no QUIC. */
export const chromiumArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Whether Debian's chromium is installed here. */
export function haveChromium(): boolean {
  return existsSync(chromiumPath);
}

/** Starts the headless Chromium the report test and the screenshot script use. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}
