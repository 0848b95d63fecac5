// The exit-code contract of the project's one-shot commands (`npm run promote`, `npm run
// preflight`): the body's own code, or 2 with `<command>: <message>` on stderr when it throws (bad
// arguments, a failed AWS call).

/** Runs a command's body and returns its exit code; an error becomes one line on `err` and 2. */
export async function runCommand(
  name: string,
  err: (line: string) => void,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (e) {
    err(`${name}: ${(e as Error).message}`);
    return 2;
  }
}
