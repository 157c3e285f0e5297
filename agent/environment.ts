// How the agent travels to child processes: NODE_OPTIONS carries `--require <agent bundle>` and
// WSPY_AGENT carries its configuration as JSON. The collector builds a launched program's
// environment here, the child-process patch (follow.ts) adds it back to children started with an
// explicit env, and the agent (boot.ts) puts it in or takes it out of its own process.env, so that
// the quoting and the variable names exist once.
import { AGENT_ENV, type AgentConfig } from './protocol';

/** The `--require` option that loads the agent, double-quoted, which NODE_OPTIONS parses on every Node version. */
export function requireOption(agentPath: string): string {
  return `--require "${agentPath.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** NODE_OPTIONS with our --require added, unless the agent is already named in it. */
export function withAgentRequire(nodeOptions: string | undefined, agentPath: string): string {
  const current = nodeOptions?.trim() ?? '';
  if (current.includes(agentPath)) return current;
  return current ? `${current} ${requireOption(agentPath)}` : requireOption(agentPath);
}

/** NODE_OPTIONS without any form of --require/-r that names the agent. */
export function withoutAgentRequire(nodeOptions: string, agentPath: string): string {
  const p = agentPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const quoted = agentPath.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const form = new RegExp(`(?:^|\\s)(?:--require|-r)(?:\\s+|=)(?:"${quoted}"|'${p}'|${p})(?=\\s|$)`, 'g');
  return nodeOptions.replace(form, '').trim();
}

/** `base` plus what makes a Node process load the agent with `config` at boot. */
export function environmentWithAgent(base: NodeJS.ProcessEnv, config: AgentConfig): NodeJS.ProcessEnv {
  return { ...base, NODE_OPTIONS: withAgentRequire(base.NODE_OPTIONS, config.agent), [AGENT_ENV]: JSON.stringify(config) };
}

/** Adds WSPY_AGENT and our --require to an env given as KEY=value pairs, when missing. */
export function addAgentToEnvPairs(envPairs: string[], config: AgentConfig): void {
  const find = (key: string): number => envPairs.findIndex((kv) => kv.startsWith(key + '='));
  if (find(AGENT_ENV) < 0) envPairs.push(`${AGENT_ENV}=${JSON.stringify(config)}`);
  const i = find('NODE_OPTIONS');
  if (i < 0) envPairs.push(`NODE_OPTIONS=${requireOption(config.agent)}`);
  else envPairs[i] = `NODE_OPTIONS=${withAgentRequire(envPairs[i].slice('NODE_OPTIONS='.length), config.agent)}`;
}

/** The two variables as this process has them, to be put back by restoreAgentVariables. */
export interface AgentVariables {
  nodeOptions: string | undefined;
  agent: string | undefined;
}

/** Makes this process's future children load the agent; returns what was there before. */
export function putAgentInOwnEnv(config: AgentConfig): AgentVariables {
  const env = process.env;
  const before = { nodeOptions: env.NODE_OPTIONS, agent: env[AGENT_ENV] };
  env.NODE_OPTIONS = withAgentRequire(env.NODE_OPTIONS, config.agent);
  env[AGENT_ENV] = JSON.stringify(config);
  return before;
}

export function restoreAgentVariables(before: AgentVariables): void {
  setOrDelete('NODE_OPTIONS', before.nodeOptions);
  setOrDelete(AGENT_ENV, before.agent);
}

/** Makes sure this process's future children do not load the agent. */
export function removeAgentFromOwnEnv(agentPath: string): void {
  const env = process.env;
  delete env[AGENT_ENV];
  if (env.NODE_OPTIONS === undefined) return;
  setOrDelete('NODE_OPTIONS', withoutAgentRequire(env.NODE_OPTIONS, agentPath) || undefined);
}

/** The configuration a process was started with, when it was started under wspy. */
export function agentConfigFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[AGENT_ENV];
}

function setOrDelete(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
