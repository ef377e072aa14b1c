import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error.js';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads `--broker-ca` at startup and insists it holds at least one parseable
 * certificate. Node takes anything as a `ca` and silently trusts nothing it
 * cannot parse, which would only show later as every amqps:// session failing
 * with 541; refusing to start says which file is wrong.
 */
export function readBrokerCa(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError('broker-ca', `cannot read file ${file}`, { value: file, cause });
  }
  const blocks = text.match(PEM_CERT) ?? [];
  if (blocks.length === 0) {
    throw new ConfigError('broker-ca', `${file} holds no PEM certificate`, { value: file });
  }
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (cause) {
      throw new ConfigError('broker-ca', `${file} holds a certificate that does not parse`, { value: file, cause });
    }
  }
  return text;
}
