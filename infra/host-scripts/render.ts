// The scripts that run on machines the program creates (EC2 user data, the notebook's on-start
// script) live beside this file as real shell and Python files. They are rendered here, in one way:
// a template declares its parameters on a `# @parameters NAME ...` line, which becomes one
// single-quoted shell assignment per parameter, and `# @include FILE` lines inside a quoted
// heredoc are replaced with that file of this folder.
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../naming";

export type ScriptValue = string | number | boolean;
export type ScriptParams = Readonly<Record<string, ScriptValue>>;

/** The folder of the templates, found from the project root so the compiled program finds it too. */
export function hostScriptsDir(): string {
  return path.join(projectRoot(__dirname), "infra", "host-scripts");
}

/** A file of this folder, as text. */
export function hostScriptFile(name: string): string {
  return fs.readFileSync(path.join(hostScriptsDir(), name), "utf8");
}

const PARAMS_LINE = /^# @parameters((?: [A-Z][A-Z0-9_]*)+)$/m;
const INCLUDE_LINE = /^# @include ([\w.-]+)$/;

/** A shell word that stands for exactly `value`, whatever it contains. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Renders `template` with `params`, which must be exactly the names its `# @parameters` line
 * declares; `include` reads the files that `# @include` lines name.
 */
export function renderScript(
  template: string,
  params: ScriptParams,
  include: (name: string) => string = hostScriptFile,
): string {
  const declared = PARAMS_LINE.exec(template);
  if (!declared) throw new Error("the template has no `# @parameters NAME ...` line");
  const names = declared[1].trim().split(" ");
  const given = Object.keys(params);
  const missing = names.filter((n) => !given.includes(n));
  const unknown = given.filter((n) => !names.includes(n));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      `script parameters do not match the template: missing ${missing.join(", ") || "none"}, ` +
        `not declared ${unknown.join(", ") || "none"}`,
    );
  }
  for (const n of names) {
    const v = params[n];
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw new Error(`script parameter ${n} is ${v}; it must be a finite number`);
    }
    if (typeof v === "string" && v.includes("\0")) {
      throw new Error(`script parameter ${n} contains a NUL character`);
    }
  }
  const assignments = names.map((n) => `${n}=${shellQuote(String(params[n]))}`).join("\n");

  const lines = template.replace(PARAMS_LINE, () => assignments).split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = INCLUDE_LINE.exec(lines[i]);
    if (!m) {
      out.push(lines[i]);
      continue;
    }
    // The include sits in a quoted heredoc: the next line ends it, and the file must not contain
    // that line, or the shell would end the heredoc early.
    const terminator = lines[i + 1];
    const content = include(m[1]).replace(/\n$/, "");
    if (terminator === undefined || content.split("\n").includes(terminator)) {
      throw new Error(`${m[1]} cannot be included: it contains its heredoc terminator`);
    }
    out.push(content);
  }
  return out.join("\n");
}

/** The parameter values a rendered script carries, as the shell will see them. */
export function renderedParameters(
  script: string,
  names: readonly string[],
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const n of names) {
    const m = new RegExp(`^${n}='((?:[^']|'\\\\'')*)'$`, "m").exec(script);
    if (!m) throw new Error(`the script assigns no ${n}`);
    values[n] = m[1].replace(/'\\''/g, "'");
  }
  return values;
}
