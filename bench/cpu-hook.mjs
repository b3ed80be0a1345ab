// Loaded with `node --import` by bench/lib.mjs: at exit, writes the CPU time this process used
// (process.cpuUsage, microseconds) to the file named by PORTER_BENCH_CPU_FILE.
import fs from 'node:fs';

const file = process.env.PORTER_BENCH_CPU_FILE;
if (file) process.on('exit', () => fs.writeFileSync(file, JSON.stringify(process.cpuUsage())));
