// Reports the repository tool it shells out to, the way a deploy dashboard or a changelog
// page does: the program needs git at run time.
const { execFileSync } = require("child_process");
const ms = require("ms");

let git;
try {
  git = execFileSync("git", ["--version"], { encoding: "utf8" }).trim();
} catch (err) {
  console.error(`node-runs-git: cannot run git: ${err.code || err.message}`);
  process.exit(1);
}
const ok = /^git version \d+\.\d+/.test(git) ? "git ok" : `unexpected: ${git}`;
console.log(`node-runs-git: ${ok}; a day is ${ms("1d")} ms`);
