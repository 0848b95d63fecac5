// Lambda runtimes and the day AWS deprecates each: the one dated table that the program's config
// check and the policy pack both read.
//
// On its deprecation day AWS stops patching a runtime and its functions lose technical support;
// some weeks later Lambda refuses to create functions on it, then to update them, while existing
// functions keep running ("Runtime deprecation policy",
// https://docs.aws.amazon.com/lambda/latest/dg/runtime-support-policy.html). Only the deprecation
// day is kept: it is the day a runtime stops being safe, and AWS has moved the later block days
// more than once.

/** Where the dates come from; messages name it. */
export const LAMBDA_RUNTIMES_PAGE =
  "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html";

/**
 * Runtime identifier to the UTC day (YYYY-MM-DD) AWS deprecates it. Sources, as AWS's pages read
 * in December 2026:
 * - current runtimes: the "Deprecation date" column of each language's page, which the runtimes
 *   page repeats (lambda-nodejs.html, lambda-python.html, lambda-ruby.html, lambda-java.html,
 *   lambda-csharp.html under https://docs.aws.amazon.com/lambda/latest/dg/);
 * - deprecated runtimes: the runtimes page's "Deprecated runtimes" table;
 * - the oldest (before that table): the "Deprecation (Create)" day of the schedule the runtime
 *   support policy page carried then, the first day of deprecation.
 * A runtime missing here is not guessed: the pack reports it as undated (advisory) and
 * policies/README.md lists the identifiers AWS's pages give no day for.
 */
export const LAMBDA_RUNTIME_DEPRECATION: Readonly<Record<string, string>> = {
  // Node.js
  nodejs: "2016-10-31",
  "nodejs4.3": "2018-12-15",
  "nodejs4.3-edge": "2018-12-15",
  "nodejs6.10": "2019-04-30",
  "nodejs8.10": "2020-01-06",
  "nodejs10.x": "2021-07-30",
  "nodejs12.x": "2023-03-31",
  "nodejs14.x": "2023-12-04",
  "nodejs16.x": "2024-06-12",
  "nodejs18.x": "2025-09-01",
  "nodejs20.x": "2026-04-30",
  "nodejs22.x": "2027-04-30",
  "nodejs24.x": "2028-04-30",
  // Python
  "python2.7": "2021-07-15",
  "python3.6": "2022-07-18",
  "python3.7": "2023-12-04",
  "python3.8": "2024-10-14",
  "python3.9": "2025-12-15",
  "python3.10": "2026-10-31",
  "python3.11": "2027-06-30",
  "python3.12": "2028-10-31",
  "python3.13": "2029-06-30",
  "python3.14": "2029-06-30",
  // Ruby
  "ruby2.5": "2021-07-30",
  "ruby2.7": "2023-12-07",
  "ruby3.2": "2026-03-31",
  "ruby3.3": "2027-03-31",
  "ruby3.4": "2028-03-31",
  // Java
  java8: "2024-01-08",
  "java8.al2": "2027-06-30",
  java11: "2027-06-30",
  java17: "2027-06-30",
  java21: "2029-06-30",
  java25: "2029-06-30",
  // .NET
  "dotnetcore1.0": "2019-06-27",
  "dotnetcore2.0": "2019-04-30",
  "dotnetcore2.1": "2022-01-05",
  "dotnetcore3.1": "2023-04-03",
  // dotnet5.0 and dotnet7 were container-image-only base images under these identifiers.
  "dotnet5.0": "2022-05-10",
  dotnet6: "2024-12-20",
  dotnet7: "2024-05-14",
  dotnet8: "2026-11-10",
  dotnet10: "2028-11-14",
  // Go and the first OS-only runtime, both on Amazon Linux 1
  "go1.x": "2024-01-08",
  provided: "2024-01-08",
};

/**
 * Identifiers the AWS provider accepts that AWS's pages, as read, give no deprecation day: the
 * OS-only runtimes on Amazon Linux 2 and 2023, whose support follows the operating system's. The
 * pack reports them as undated (advisory) rather than guessing; a test holds every identifier of
 * the installed provider to the table or this list, so a new runtime needs its day.
 */
export const UNDATED_RUNTIMES: readonly string[] = ["provided.al2", "provided.al2023"];

/** A day as UTC YYYY-MM-DD, the form the table uses. */
export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The day AWS deprecates `runtime`, or undefined when the table has none. */
export function deprecationDay(runtime: string): string | undefined {
  return Object.hasOwn(LAMBDA_RUNTIME_DEPRECATION, runtime)
    ? LAMBDA_RUNTIME_DEPRECATION[runtime]
    : undefined;
}

/** Whether AWS had deprecated `runtime` by `today`; undefined when the table has no day for it. */
export function isDeprecated(runtime: string, today: string): boolean | undefined {
  const day = deprecationDay(runtime);
  return day === undefined ? undefined : day <= today;
}

/**
 * The runtime's line of successors: `nodejs22.x` -> `nodejs`, `python3.9` -> `python`,
 * `dotnetcore3.1` -> `dotnet`, and `go1.x` -> `provided`, since Go moved to the OS-only runtimes
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-golang.html).
 */
export function runtimeLanguage(runtime: string): string {
  const word = /^[a-z]+/.exec(runtime)?.[0] ?? runtime;
  return word === "dotnetcore" ? "dotnet" : word === "go" ? "provided" : word;
}

/** The runtime of the same language that AWS supports longest after `today`, if the table has one. */
export function successorOf(runtime: string, today: string): string | undefined {
  const language = runtimeLanguage(runtime);
  // Newest listed first, so that of two runtimes deprecated on the same day the later one wins.
  return Object.entries(LAMBDA_RUNTIME_DEPRECATION)
    .reverse()
    .filter(([id, day]) => runtimeLanguage(id) === language && day > today)
    .sort(([, a], [, b]) => b.localeCompare(a))[0]?.[0];
}
