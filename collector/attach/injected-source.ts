// The JavaScript that wspy evaluates inside a target through its inspector. Kept apart as text,
// because it runs in another process under the DevTools command-line API (DESIGN.md trap 3: its
// `require` exists only during the evaluation) and must catch everything it does.

/**
 * How long the target waits, after the injection, before it closes its inspector. Closing at once
 * blocked the target's event loop about 44 ms: inspector.close() waits until wspy answers its close
 * frame, and that frame sat behind wspy's not-yet-sent TCP acknowledgement (Nagle's algorithm
 * against Linux's 40 ms delayed ACK). Closing after the acknowledgement has gone blocks about 1 ms.
 */
export const CLOSE_DELAY_MS = 50;

/** What the injected code found in the target, from its synchronous part. */
export interface InjectionReport {
  pid: number;
  version: string;
  /**
   * Set when the target is not the process wspy meant (pid), its Node is too old (version), or an
   * agent already samples it for another wspy (busy): the agent was not loaded.
   */
  refused: 'pid' | 'version' | 'busy' | null;
  loaded: boolean;
  error: string | null;
}

/**
 * The code run in the target (with the DevTools command-line API, whose `require` exists only while
 * this evaluation runs). One evaluation does everything, so that once it has been sent, the target
 * closes the inspector wspy opened whatever happens to wspy's side afterwards. It first checks that
 * it runs in the expected process and Node major; then it loads the agent and the inspector module
 * synchronously; then, from a timer (outside the inspector's own message dispatch), it closes the
 * inspector and only then starts the agent: closing the inspector while the profiler samples crashed
 * targets. Everything is caught, because an exception escaping a callback would kill the target. The
 * timer is unref'd so that it never keeps a finishing program alive. Evaluates to a JSON
 * InjectionReport.
 */
export function injectionSource(
  agentPath: string,
  config: object,
  closeInspector: boolean,
  expect: { pid: number; minMajor: number },
): string {
  return `(function wspyAttach(agentPath, config, closeInspector, expectedPid, minMajor) {
  var report = { pid: process.pid, version: process.version, refused: null, loaded: false, error: null };
  var inspector = null;
  var agent = null;
  try {
    inspector = require('inspector');
    if (process.pid !== expectedPid) report.refused = 'pid';
    else if (Number(process.versions.node.split('.')[0]) < minMajor) report.refused = 'version';
    else if (globalThis[Symbol.for('wspy.agent.running')]) report.refused = 'busy';
    else {
      agent = require(agentPath);
      if (!agent || typeof agent.start !== 'function') throw new Error(agentPath + ' does not export start()');
      report.loaded = true;
    }
  } catch (e) {
    agent = null;
    report.error = String((e && e.message) || e);
  }
  var slot = ${PENDING_SLOT};
  var pending = { cancelled: false };
  globalThis[slot] = pending;
  var timer = setTimeout(function wspyAttachStart() {
    try {
      if (globalThis[slot] === pending) delete globalThis[slot];
      if (pending.cancelled) agent = null;
      if (closeInspector && inspector) inspector.close();
      // Start sampling only once the inspector is really closed, never under an open one we opened.
      if (agent && (!closeInspector || inspector.url() === undefined)) agent.start(config, { attached: true });
    } catch (e) {}
  }, ${closeInspector ? CLOSE_DELAY_MS : 0});
  if (timer && timer.unref) timer.unref();
  return JSON.stringify(report);
})(${JSON.stringify(agentPath)}, ${JSON.stringify(config)}, ${closeInspector ? 'true' : 'false'}, ${expect.pid}, ${expect.minMajor})`;
}

/** Where the injected code leaves the one thing wspy may still change afterwards: that the agent must not start. The timer deletes it. */
const PENDING_SLOT = "Symbol.for('wspy.attach.pending')";

/** Code that only closes the inspector on the target's next event-loop turn (used when attaching is abandoned). */
export const CLOSE_ONLY_SOURCE = `(function (inspector) {
  setTimeout(function wspyAttachClose() { try { inspector.close(); } catch (e) {} }, ${CLOSE_DELAY_MS}).unref();
  return 'closing';
})(require('inspector'))`;

/**
 * Code that tells a pending injection (its timer has not fired: the target has not returned to its
 * event loop) to close the inspector but not start the agent, because wspy gave up on the target.
 */
export const CANCEL_START_SOURCE = `(function (slot) {
  var pending = globalThis[slot];
  if (pending) pending.cancelled = true;
  return !!pending;
})(${PENDING_SLOT})`;
