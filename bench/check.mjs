// Wall time of the offline check, cold process each run, next to its floor (Node starting and the
// bare program running under mocks, with no policy pack and no cost estimate) and as a ratio of
// it, and the policy pack's analysis rate on a generated stack of a few thousand resources. The
// targets: one stack at most 1.3 times the floor, every stack (--all) at most 1.5 times, Analyze at
// least 2,000 resources/s. The load average is printed with the figures: on shared cores, compare
// figures taken under the same load.
//
//   npm run bench:check [-- --runs 7 --resources 3000]
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as os from "node:os";
import { createRequire } from "node:module";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { compile, root } from "../scripts/compile.mjs";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const RUNS = opt("runs", 7);
const RESOURCES = opt("resources", 3000);

await compile();
const require = createRequire(import.meta.url);
const dist = (p) => path.join(root, "dist", p);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median wall seconds of `node args` over RUNS cold processes; a failed run aborts the bench. */
function timeCommand(args, okCodes = [0]) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    times.push((performance.now() - t0) / 1000);
    if (!okCodes.includes(r.status)) {
      throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    }
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

const floorScript = `require(${JSON.stringify(dist("tools/stack-run.js"))}).runStack({ stack: "dev" }).then((r) => { if (!r.resources.length) process.exit(3); });`;
const check = path.join(root, "scripts", "run-check.mjs");
// Exit code 1 (a mandatory finding) still measures a complete check.
const loadBefore = os.loadavg()[0];
const rows = [
  ["floor: node + program under mocks (dev)", timeCommand(["-e", floorScript]), null],
  ["check --stack dev", timeCommand([check, "--stack", "dev"], [0, 1]), 1.3],
  ["check --all", timeCommand([check, "--all"], [0, 1]), 1.5],
];
const loadAfter = os.loadavg()[0];

// The pack's analysis rate: the dev graph repeated under new names to RESOURCES resources.
const { runStack } = require(dist("tools/stack-run.js"));
const { startPolicyPack } = require(dist("tools/policy-analyzer.js"));
const { spawnPolicyPack } = require(dist("tools/pack-process.js"));
const base = (await runStack({ stack: "dev" })).resources;
const resources = [];
for (let copy = 0; resources.length < RESOURCES; copy++) {
  for (const r of base) {
    if (resources.length >= RESOURCES) break;
    const rename = (urn) => (urn ? urn.replace(/::([^:]+)$/, `::$1-c${copy}`) : urn);
    resources.push({
      ...r,
      name: `${r.name}-c${copy}`,
      urn: rename(r.urn),
      parent: rename(r.parent),
    });
  }
}
// The pack's own CPU time, from /proc, separates its analysis from the client's gRPC overhead
// (the Pulumi CLI's client is Go; this bench's client is Node).
const packProcess = spawnPolicyPack({ packDir: path.join(root, "policies") });
const pack = await startPolicyPack({ process: packProcess });
const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());
const packCpuSeconds = () => {
  const fields = readFileSync(`/proc/${packProcess.child.pid}/stat`, "utf8")
    .split(") ")[1]
    .split(" ");
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
};
let analyzeSeconds;
let analyzeCpu;
let stackSeconds;
let stackCpu;
try {
  await pack.analyze(resources.slice(0, 50)); // warm the pack's lazy modules
  let cpu0 = packCpuSeconds();
  let t0 = performance.now();
  await pack.analyze(resources);
  analyzeSeconds = (performance.now() - t0) / 1000;
  analyzeCpu = packCpuSeconds() - cpu0;
  cpu0 = packCpuSeconds();
  t0 = performance.now();
  await pack.analyzeStack(resources);
  stackSeconds = (performance.now() - t0) / 1000;
  stackCpu = packCpuSeconds() - cpu0;
} finally {
  await pack.close();
}

const fmt = (s) => `${s.toFixed(2)} s`;
console.log(
  `offline check, ${RUNS} cold runs each (median, min–max), ${execFileSync("nproc").toString().trim()} cores, ` +
    `load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
);
const floor = rows[0][1].median;
for (const [name, t, target] of rows) {
  const ratio = t.median / floor;
  const verdict =
    target === null
      ? ""
      : `  ${ratio.toFixed(2)}x floor, target ≤ ${target}x: ${ratio <= target ? "met" : "MISSED"}`;
  console.log(`  ${name.padEnd(42)} ${fmt(t.median)}  (${fmt(t.min)}–${fmt(t.max)})${verdict}`);
}
const rate = resources.length / analyzeSeconds;
const perSecond = (n) => `${Math.round(n).toLocaleString("en-US")} resources/s`;
console.log(
  `policy pack on ${resources.length} generated resources (wall, and the pack's own CPU time)`,
);
console.log(
  `  Analyze, one call per resource             ${fmt(analyzeSeconds)}  ${perSecond(rate)}  target ≥ 2,000/s: ${rate >= 2000 ? "met" : "MISSED"}`,
);
console.log(
  `    the pack's CPU                           ${fmt(analyzeCpu)}  ${perSecond(resources.length / analyzeCpu)}`,
);
console.log(
  `  AnalyzeStack, one call                     ${fmt(stackSeconds)}  ${perSecond(resources.length / stackSeconds)}`,
);
console.log(
  `    the pack's CPU                           ${fmt(stackCpu)}  ${perSecond(resources.length / stackCpu)}`,
);
