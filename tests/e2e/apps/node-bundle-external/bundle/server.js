// The output of a bundler configured with `externals: ["ms"]`: ms is listed under
// devDependencies (the bundle was meant to inline it) but is required at run time.
const ms = require("ms");
console.log(`node-bundle-external: a week is ${ms("7d")} ms`);
