// Which Chromium the browser tests drive (with playwright-core; no test tool downloads a
// browser): CHROMIUM_PATH when set, else the first Chromium or Chrome found on the machine.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable",
  "/snap/bin/chromium", "/Applications/Chromium.app/Contents/MacOS/Chromium", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"];
const NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/** { path, source } of the browser to use, or null when none is found. */
export function findChromium() {
  const env = process.env.CHROMIUM_PATH;
  if (env) return { path: env, source: "CHROMIUM_PATH" };
  for (const p of CANDIDATES) if (existsSync(p)) return { path: p, source: "found on this machine" };
  for (const n of NAMES) {
    try {
      const p = execFileSync("which", [n], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
      if (p && existsSync(p)) return { path: p, source: "found on the PATH" };
    } catch { /* not there */ }
  }
  return null;
}
