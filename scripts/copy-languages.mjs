// The message tree is data, not code: tsc does not copy it, so the build does (dist/languages beside dist/lib).
import { cpSync, rmSync } from 'node:fs';
import { URL } from 'node:url';

rmSync(new URL('../dist/languages', import.meta.url), { recursive: true, force: true });
cpSync(new URL('../src/languages', import.meta.url), new URL('../dist/languages', import.meta.url), { recursive: true });
