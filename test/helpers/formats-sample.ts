// A small but awkward Recording for the exporter tests: three processes (a parent and two forked
// children, one of them on another host), idle samples, anonymous and odd names, a name with ';'.

import { emptyRecording, emptySamples, Recording, RecordingBuilder } from '../../collector/model';

export function sampleRecording(): Recording {
  const b = new RecordingBuilder(
    emptyRecording({ title: 'sample', startTime: 1_700_000_000_000, endTime: 1_700_000_002_000, intervalUs: 1000, cwd: '/app', source: 'record', wspyVersion: '0.1.0', command: ['node', 'worker.js'] }),
  );
  const main = b.frame('main', '/app/worker.js', 3, 1);
  const anon = b.frame('', '/app/worker.js', 10, 5);
  const load = b.frame('configureModels', '/app/node_modules/orm/lib/models.js', 12, 3);
  const odd = b.frame('weird;name\u00e9 <x>', '/app/odd file.js', 7, 0);
  const idle = b.frame('(idle)', '', 0, 0);
  const gc = b.frame('(garbage collector)', '', 0, 0);

  const proc = (pid: number, ppid: number, command: string, host?: string) =>
    b.upsertProcess(host ? `${host}:${pid}` : String(pid), () => ({
      pid, ppid, argv: ['/usr/bin/node', ...command.split(' ').slice(1)], command, sampled: true, intervalUs: 1000,
      samples: emptySamples(), errors: [], startTime: 1_700_000_000_000 + pid, endTime: 1_700_000_001_500, exitCode: 0, signal: null,
      ...(host ? { host } : {}),
    }));
  const parent = proc(100, 1, 'node worker.js');
  const child = proc(101, 100, 'node job.js');
  const remote = proc(101, 7, 'node job.js --remote', 'box2');
  remote.errors.push('agent stopped early');
  remote.queues = ['emails'];

  b.addSamples(parent, b.stackOf([main]), 5, 10);
  b.addSamples(parent, b.stackOf([main, anon]), 3, 20);
  b.addSamples(parent, b.stackOf([idle]), 50, 80);
  b.addSamples(parent, b.stackOf([main, odd]), 2, 90);
  b.addSamples(child, b.stackOf([main, load]), 40, 150);
  b.addSamples(child, b.stackOf([gc]), 1, 151);
  b.addSamples(child, b.stackOf([main, load, anon]), 4, 160);
  b.addSamples(remote, b.stackOf([main, load]), 7, 300.5);
  b.addSamples(remote, b.stackOf([idle]), 9, 400);
  return b.recording;
}
