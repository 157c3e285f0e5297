// Errors caused by the user's input or environment (a wrong pid, an unreadable file, ...). The CLI
// prints their message as one line, without a stack trace, and exits non-zero. Anything else that is
// thrown is a wspy bug and keeps its stack.
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UserError';
  }
}
