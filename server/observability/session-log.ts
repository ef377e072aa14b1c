import type { Logger } from 'pino';

type Fields = Readonly<Record<string, unknown>>;

/**
 * One session's view of the gateway's logger: every line carries the session
 * id. Unlike a pino child logger it holds no per-session state beyond the id,
 * and builds a line only when its level is enabled, so an idle session costs
 * one small object.
 */
export class SessionLog {
  constructor(
    private readonly base: Logger,
    private readonly session: string,
  ) {}

  info(fields: Fields, msg: string): void {
    if (this.base.isLevelEnabled('info')) this.base.info({ ...fields, session: this.session }, msg);
  }

  warn(fields: Fields, msg: string): void {
    if (this.base.isLevelEnabled('warn')) this.base.warn({ ...fields, session: this.session }, msg);
  }

  error(fields: Fields, msg: string): void {
    if (this.base.isLevelEnabled('error')) this.base.error({ ...fields, session: this.session }, msg);
  }
}
