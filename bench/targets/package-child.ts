// A forked child whose job is only its imports: it requires the packages it is given (none for a
// trivial child; ioredis, pg and sequelize for a child that loads real packages) and exits. At exit
// it appends its own CPU time as one JSON line to `out`: process.cpuUsage() covers the whole process
// (Node's bootstrap, V8's profiler thread, and any agent loaded with --require).
// Usage: node package-child.js <out> [package,package...]
import * as fs from 'fs';

const [out, packages = ''] = process.argv.slice(2);
for (const name of packages.split(',').filter(Boolean)) require(name);
process.on('exit', () => {
  const u = process.cpuUsage();
  fs.appendFileSync(out, JSON.stringify({ cpuMs: (u.user + u.system) / 1000 }) + '\n');
});
