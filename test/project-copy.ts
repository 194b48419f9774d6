// A throwaway copy of parts of the project (with node_modules linked, not copied), for checks that
// must be shown to fail on a planted defect without touching the tree: the layering rule, the
// docs build, the mutants of `npm run mutate`.
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const projectRoot = join(import.meta.dirname, "..");

/** Copies `files` (relative to the project root) into a temporary directory, runs `fn` there, removes it. */
export function withProjectCopy<T>(name: string, files: readonly string[], fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), `rla-${name}-`));
  try {
    for (const f of files) cpSync(join(projectRoot, f), join(dir, f), { recursive: true });
    symlinkSync(join(projectRoot, "node_modules"), join(dir, "node_modules"));
    return fn(dir);
  } finally { rmSync(dir, { recursive: true, force: true }); }
}
