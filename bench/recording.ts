// The part of wspy's JSON recording (docs/FORMAT.md) that the benchmarks read.
import * as fs from 'fs';
import * as zlib from 'zlib';

export interface JsonProcess {
  pid: number;
  ppid: number;
  argv: string[];
  sampleCount: number;
  sampled: boolean;
  errors: string[];
}

export interface JsonRecording {
  processes: JsonProcess[];
}

export function readRecording(file: string): JsonRecording {
  let data = fs.readFileSync(file);
  if (data[0] === 0x1f && data[1] === 0x8b) data = zlib.gunzipSync(data);
  return JSON.parse(data.toString('utf8')) as JsonRecording;
}
