// A project folder of its own for a test: Pulumi.yaml copied (stack files are the test's to
// write), everything else of this checkout linked, so that the program, its packages and the
// policy pack run from it exactly as from the checkout, on the CLI's path.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findProjectRoot } from "../tools/stack-config";

export const REPO = findProjectRoot(__dirname);

export function projectCopy(prefix = "project-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const entry of fs.readdirSync(REPO)) {
    if (/^Pulumi(\..+)?\.yaml$/.test(entry) || entry === ".git") continue;
    fs.symlinkSync(path.join(REPO, entry), path.join(dir, entry));
  }
  fs.copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  return dir;
}
