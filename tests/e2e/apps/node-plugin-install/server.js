// Installs a plugin while it runs, the way an app store or a plugin manager does: npm
// builds the plugin's native part here, so the image needs make and a C compiler at run time.
const { execFileSync } = require("child_process");
const path = require("path");
const ms = require("ms");

const store = "/tmp/plugin-store";
try {
  execFileSync(
    "npm",
    ["install", "--install-links", "--no-audit", "--no-fund", "--prefix", store,
      path.join(__dirname, "plugins", "greeter")],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
} catch (err) {
  console.error(`node-plugin-install: the plugin did not install: ${err.message}`);
  process.exit(1);
}
const greeting = execFileSync(path.join(store, "node_modules", "greeter", "greet"), {
  encoding: "utf8",
}).trim();
console.log(`node-plugin-install: ${greeting}; a day is ${ms("1d")} ms`);
