// Before the browser tests: CHROMIUM_PATH when set, else a Chromium found on the machine, else
// Debian's chromium installed with apt-get where we can (root on a Debian machine, as CI and the
// developer machines here). Says what it uses; never skips silently.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { findChromium } from "./chromium.mjs";

let found = findChromium();
if (found && found.source === "CHROMIUM_PATH" && !existsSync(found.path)) {
  console.error(`CHROMIUM_PATH=${found.path} does not exist.`);
  process.exit(1);
}
if (!found) {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (!root || !existsSync("/usr/bin/apt-get")) {
    console.error("The browser tests need Chromium. Set CHROMIUM_PATH to a Chromium or Chrome binary, or install one (Debian: apt-get install chromium).");
    process.exit(1);
  }
  console.log("browser tests: no Chromium found; installing Debian's chromium (once per machine)...");
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  found = { path: "/usr/bin/chromium", source: "installed from Debian" };
}
console.log(`browser tests: using ${found.path} (${found.source})`);
