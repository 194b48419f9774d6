// The browser tests drive Debian's chromium (/usr/bin/chromium) with playwright-core; no test
// tool downloads a browser. On a fresh machine, install it from Debian when we can (root with
// apt-get, as on the CI and developer machines here); otherwise say what is missing and stop.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";

const path = "/usr/bin/chromium";
if (!existsSync(path)) {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const apt = existsSync("/usr/bin/apt-get");
  if (!root || !apt) {
    console.error(`The browser tests need Debian's chromium at ${path}. Install it with: sudo apt-get install -y chromium`);
    process.exit(1);
  }
  console.log("installing chromium from Debian (once per machine)...");
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}
