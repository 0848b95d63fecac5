// Wall times, cold process each run, each as a ratio of the reference its target names:
// - the program on the CLI's path (@pulumi/pulumi/cmd/run spawned as the language host spawns it,
//   against the local engine; a preview of dev), with an empty ts-node cache (a CI runner, a new
//   laptop: `cold`) and with the cache of an earlier run (`warm`), against the program under
//   mocks in one process as the unit tests run it (through tsx): cold at most 2 times; the same
//   mocked run from precompiled JavaScript is shown beside it;
// - the offline check of one stack (a preview and an update of the program, the policy pack, the
//   cost estimate) against the bare program run through the same engine: at most 1.5 times;
// - every stack (--all), reported against the same bare run;
// and the policy pack's analysis rate on a generated stack of a few thousand resources: Analyze at
// least 2,000 resources/s.
//
// On shared cores the machine's speed drifts from one second to the next, so the commands run in
// rounds (the floor, one stack, every stack, then again), and a ratio is the median over the
// rounds of that round's check time over that round's floor. The rate is the median over a few
// packs, each started afresh. The load average is printed with the figures.
//
//   npm run bench:check [-- --runs 7 --resources 3000 --packs 3]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
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
const PACKS = opt("packs", 3);

await compile();
const require = createRequire(import.meta.url);
const dist = (p) => path.join(root, "dist", p);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall seconds of one cold `node args`; a failed run aborts the bench. */
function timeOnce(args, okCodes = [0]) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
  const seconds = (performance.now() - t0) / 1000;
  if (!okCodes.includes(r.status)) {
    throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  }
  return seconds;
}

const mockedScript = `require(${JSON.stringify(dist("tools/stack-run.js"))}).runStack({ stack: "dev" }).then((r) => { if (!r.resources.length) process.exit(3); });`;
// The mocked run as the unit tests make it: the TypeScript sources loaded through tsx.
const tsx = createRequire(import.meta.url).resolve("tsx/cjs");
const mockedTestsScript = `require(${JSON.stringify(path.join(root, "tools", "stack-run.ts"))}).runStack({ stack: "dev" }).then((r) => { if (!r.resources.length) process.exit(3); });`;
// The ts-node cache directory of the program's process: a new one for each cold run.
const engineScript = (cache) =>
  `require(${JSON.stringify(dist("tools/local-engine.js"))}).runOnEngine({ stack: "dev", mode: "preview", env: { TS_NODE_CACHE_DIRECTORY: ${JSON.stringify(cache)} } }).then((r) => { if (!r.resources.length) process.exit(3); });`;
const warmCache = mkdtempSync(path.join(os.tmpdir(), "bench-ts-node-"));
const check = path.join(root, "scripts", "run-check.mjs");
// Exit code 1 (a mandatory finding) still measures a complete check. `vs`: the command whose time
// the ratio divides by.
const commands = [
  {
    name: "program under mocks, as the tests run it (tsx)",
    args: () => ["--require", tsx, "-e", mockedTestsScript],
  },
  { name: "program under mocks, precompiled (dist/)", args: () => ["-e", mockedScript] },
  {
    name: "program on the CLI's path, cold ts-node cache",
    args: () => ["-e", engineScript(mkdtempSync(path.join(os.tmpdir(), "bench-ts-node-")))],
    vs: 0,
    target: 2,
  },
  {
    name: "program on the CLI's path, warm (bare run)",
    args: () => ["-e", engineScript(warmCache)],
    vs: 0,
  },
  {
    name: "check --stack dev",
    args: () => [check, "--stack", "dev"],
    ok: [0, 1],
    vs: 3,
    target: 1.5,
  },
  { name: "check --all", args: () => [check, "--all"], ok: [0, 1], vs: 3 },
];
timeOnce(commands[3].args()); // fills the warm cache
const loadBefore = os.loadavg()[0];
const times = commands.map(() => []);
for (let round = 0; round < RUNS; round++) {
  commands.forEach((c, i) => times[i].push(timeOnce(c.args(), c.ok)));
}
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
const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());

/**
 * One pack started afresh: Analyze once per resource (after a warm-up of 50), then AnalyzeStack,
 * each with its wall time and the pack's own CPU time, from /proc: that separates its analysis
 * from the client's gRPC overhead (the Pulumi CLI's client is Go; this bench's client is Node).
 */
async function measurePack() {
  const packProcess = spawnPolicyPack({ packDir: path.join(root, "policies") });
  const pack = await startPolicyPack({ process: packProcess });
  const packCpuSeconds = () => {
    const fields = readFileSync(`/proc/${packProcess.child.pid}/stat`, "utf8")
      .split(") ")[1]
      .split(" ");
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  };
  try {
    await pack.analyze(resources.slice(0, 50)); // the pack's lazy modules
    let cpu0 = packCpuSeconds();
    let t0 = performance.now();
    await pack.analyze(resources);
    const analyze = { wall: (performance.now() - t0) / 1000, cpu: packCpuSeconds() - cpu0 };
    cpu0 = packCpuSeconds();
    t0 = performance.now();
    await pack.analyzeStack(resources);
    const stack = { wall: (performance.now() - t0) / 1000, cpu: packCpuSeconds() - cpu0 };
    return { analyze, stack };
  } finally {
    await pack.close();
  }
}
const packs = [];
for (let i = 0; i < PACKS; i++) packs.push(await measurePack());

const fmt = (s) => `${s.toFixed(2)} s`;
const range = (xs) => `(${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
console.log(
  `offline check, ${RUNS} rounds of cold runs (median, min–max), ${execFileSync("nproc").toString().trim()} cores, ` +
    `load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
);
commands.forEach((c, i) => {
  let verdict = "";
  if (c.vs !== undefined) {
    const ratios = times[i].map((t, round) => t / times[c.vs][round]);
    const ratio = median(ratios);
    verdict =
      `  ${ratio.toFixed(2)}x ${commands[c.vs].name.split(",")[0].split(" (")[0]} ` +
      `(rounds ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` +
      (c.target ? `, target ≤ ${c.target}x: ${ratio <= c.target ? "met" : "MISSED"}` : "");
  }
  console.log(`  ${c.name.padEnd(46)} ${fmt(median(times[i]))}  ${range(times[i])}${verdict}`);
});
const perSecond = (n) => `${Math.round(n).toLocaleString("en-US")} resources/s`;
const rates = (key, field) => packs.map((p) => resources.length / p[key][field]);
const analyzeRate = median(rates("analyze", "wall"));
console.log(
  `policy pack on ${resources.length} generated resources, median of ${PACKS} packs (wall, and the pack's own CPU time)`,
);
console.log(
  `  Analyze, one call per resource             ${perSecond(analyzeRate)}  ` +
    `(${rates("analyze", "wall")
      .map((r) => Math.round(r).toLocaleString("en-US"))
      .join(", ")})  target ≥ 2,000/s: ${analyzeRate >= 2000 ? "met" : "MISSED"}`,
);
console.log(
  `    the pack's CPU                           ${perSecond(median(rates("analyze", "cpu")))}`,
);
console.log(
  `  AnalyzeStack, one call                     ${perSecond(median(rates("stack", "wall")))}`,
);
console.log(
  `    the pack's CPU                           ${perSecond(median(rates("stack", "cpu")))}`,
);
