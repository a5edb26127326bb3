// Prints once and exits: the smoke run checks that `npm start` still finds cross-env.
const ms = require("ms");
console.log(`${process.env.GREETING} from npm start: ${ms(90000)}`);
