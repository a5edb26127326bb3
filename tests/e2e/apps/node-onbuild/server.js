'use strict';

// A job scheduler stub: reads its schedule, prints a summary and exits.
// A real deployment would keep running; the summary is what the smoke run checks.
const ms = require('ms');
const schedule = require('./schedule.json');

const major = process.versions.node.split('.')[0];
const perDay = schedule.jobs.map((job) => {
  const every = ms(job.every);
  return { name: job.name, every, runs: Math.floor(ms('1d') / every) };
});
const shortest = perDay.reduce((a, b) => (b.every < a.every ? b : a));
const total = perDay.reduce((sum, job) => sum + job.runs, 0);

console.log(
  `node-onbuild ok (node ${major}, ms ${require('ms/package.json').version}): ` +
    perDay.map((job) => `${job.name}=${job.runs}/day`).join(' ') +
    `; shortest=${shortest.name} every ${ms(shortest.every, { long: true })}; total=${total}`
);
