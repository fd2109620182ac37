/** Details that turn a failure into something a user can act on. */
export interface LabErrorDetails {
  /** The component that failed (`postgres`, `rabbitmq`, …). */
  component?: string;
  /** The log file to read. */
  logPath?: string;
  /** The likely fix, phrased as what to do. */
  hint?: string;
  cause?: unknown;
}

/** A failure of the lab with a message a user can act on; the CLI prints it without a stack trace. */
export class LabError extends Error {
  readonly component: string | undefined;
  readonly logPath: string | undefined;
  readonly hint: string | undefined;

  constructor(message: string, details: LabErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LabError';
    this.component = details.component;
    this.logPath = details.logPath;
    this.hint = details.hint;
  }

  /** The error as the lines the CLI prints. */
  describe(): string {
    const lines = [this.component ? `${this.component}: ${this.message}` : this.message];
    if (this.logPath) lines.push(`  log:  ${this.logPath}`);
    if (this.hint) lines.push(`  fix:  ${this.hint}`);
    return lines.join('\n');
  }
}
