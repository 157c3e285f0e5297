// Shared by the agent tests: run real Node processes with the agent, read what they spooled.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { AgentConfig, AgentMessage, ChunkMessage, WireFrame } from '../../agent/protocol';
import { spoolFilePid } from '../../agent/recording-dir';
import { tempDir, ROOT } from './wspy';

export const root = ROOT;
export const agentBundle = path.join(root, 'dist', 'bundles', 'agent.js');
export const streamBundle = path.join(root, 'dist', 'bundles', 'agent-stream.js');
export const bindingsDir = path.join(root, 'node_modules', '@datadog', 'pprof', 'prebuilds', `${process.platform}-${process.arch}`);
export const fixtures = path.join(root, 'test', 'fixtures');

/**
 * A private directory with a spool and the path of a collector socket that does not exist.
 * The directory goes when the test file ends (tempDir), so callers need not remove it.
 */
export function spoolOnlyConfig(overrides: Partial<AgentConfig> = {}): AgentConfig & { dir: string } {
  const dir = tempDir('wspy-agent-test-');
  const spool = path.join(dir, 'spool');
  fs.mkdirSync(spool);
  return {
    dir,
    socket: path.join(dir, 'no-collector.sock'),
    token: 'test-token',
    spool,
    intervalUs: 1000,
    follow: true,
    bindings: bindingsDir,
    agent: agentBundle,
    stream: streamBundle,
    chunkMs: 60000,
    ...overrides,
  };
}

/** The environment a launched program gets: NODE_OPTIONS with the agent, and WSPY_AGENT. */
export function agentEnv(config: AgentConfig, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { dir: _dir, ...plain } = config as AgentConfig & { dir?: string };
  const nodeOptions = [base.NODE_OPTIONS, `--require "${agentBundle}"`].filter(Boolean).join(' ');
  return { ...base, NODE_OPTIONS: nodeOptions, WSPY_AGENT: JSON.stringify(plain) };
}

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  pid: number;
}

export function runNode(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out: node ${args.join(' ')}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1 });
    });
  });
}

/** Every message in the spool, by the pid of the file it was in. */
/** The main threads' spool files, by pid. */
export function readSpool(spool: string): Map<number, AgentMessage[]> {
  const out = new Map<number, AgentMessage[]>();
  for (const name of fs.readdirSync(spool)) {
    const pid = spoolFilePid(name);
    if (pid === undefined) continue; // a worker thread's file
    const lines = fs.readFileSync(path.join(spool, name), 'utf8').split('\n').filter(Boolean);
    out.set(pid, lines.map((l) => JSON.parse(l) as AgentMessage));
  }
  return out;
}

export function chunksOf(messages: AgentMessage[]): ChunkMessage[] {
  return messages.filter((m): m is ChunkMessage => m.t === 'chunk');
}

/** Every sampled stack (root first) of the chunks, with its own hit count. */
export function stacksOf(chunks: ChunkMessage[]): Array<{ frames: WireFrame[]; hits: number }> {
  const out: Array<{ frames: WireFrame[]; hits: number }> = [];
  for (const c of chunks) {
    const paths: WireFrame[][] = [];
    for (let i = 0; i < c.nodes.length / 3; i++) {
      const parent = c.nodes[3 * i];
      const frame = c.frames[c.nodes[3 * i + 1]];
      paths.push(parent === -1 ? [frame] : [...paths[parent], frame]);
      const hits = c.nodes[3 * i + 2];
      if (hits > 0) out.push({ frames: paths[i], hits });
    }
  }
  return out;
}

/** Samples whose stack contains the named function defined in a file ending with `file`. */
export function samplesIn(messages: AgentMessage[], name: string, file: string): number {
  return stacksOf(chunksOf(messages))
    .filter((s) => s.frames.some(([n, script]) => n === name && script.endsWith(file)))
    .reduce((sum, s) => sum + s.hits, 0);
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
