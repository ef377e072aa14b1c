import { WarrenError } from './errors.js';

/** Settles as `promise` does, or rejects `ERR_TIMEOUT` with `message` once `ms` pass first. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WarrenError('ERR_TIMEOUT', message)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
