/** The package's version, read from its package.json (two levels above dist/src/api/). */
import { createRequire } from 'node:module';

export const VERSION: string = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
