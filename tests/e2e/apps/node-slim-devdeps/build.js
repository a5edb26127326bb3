// The build uses a devDependency; the built program does not.
const fs = require("fs");
const leftPad = require("left-pad");
fs.mkdirSync("dist", { recursive: true });
fs.writeFileSync(
  "dist/app.js",
  `const ms = require("ms");\nconsole.log("built by ${leftPad("left-pad", 8)}: a day is " + ms("1d") + " ms");\n`
);
