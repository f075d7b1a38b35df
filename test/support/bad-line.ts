/** Test helper: the one-line message of the BadInput `parseCli` throws for some flags. */
import { expect } from 'chai';
import { parseCli } from '../../src/cli/args.js';
import { BadInput } from '../../src/contract/bad-input.js';

export function badLine(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseCli(argv, env);
  } catch (err) {
    expect(err).to.be.instanceOf(BadInput);
    return (err as Error).message;
  }
  return expect.fail(`expected a BadInput for ${argv.join(' ')}`);
}
