'use strict';

// A stand-in for an asset bundler (Encore, Mix): writes public/build/ from assets/ with a
// package from node_modules, which only the build uses.
const fs = require('fs');
const ms = require('ms');

fs.mkdirSync('public/build', { recursive: true });
const greeting = fs.readFileSync('assets/greeting.txt', 'utf8').trim();
fs.writeFileSync('public/build/app.txt', `${greeting} (cache ${ms(ms('1h'), { long: true })})\n`);
