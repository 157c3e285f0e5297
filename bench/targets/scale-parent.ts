// Forks <count> streaming children that each stay busy for <seconds>, and waits for them all.
// Usage: node scale-parent.js <count> <seconds>
import { fork } from 'child_process';
import * as path from 'path';

const count = Number(process.argv[2]);
const seconds = process.argv[3];
const child = path.join(__dirname, 'streaming-child.js');
for (let i = 0; i < count; i++) fork(child, [seconds], { stdio: 'ignore' });
