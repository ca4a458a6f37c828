/**
 * The command production starts the bot with, read from the Procfile (railway.json's `deploy.startCommand` must be
 * the same, test/unit/start-command.test.ts checks it), so the benchmark measures what is deployed, V8 flags included.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './bot-process.js';

/** The command of one process type of the Procfile (`worker: node ... dist/index.js`). */
export function procfileCommand(processType = 'worker', root = PROJECT_ROOT): string {
	const procfile = readFileSync(join(root, 'Procfile'), 'utf8');
	for (const line of procfile.split('\n')) {
		const match = /^([\w-]+):\s*(.+?)\s*$/.exec(line);
		if (match?.[1] === processType) return match[2]!;
	}
	throw new Error(`the Procfile has no ${processType} line`);
}

/**
 * Node's arguments in a start command (`node --flag=1 dist/index.js` → `['--flag=1', 'dist/index.js']`). Only the
 * plain form is accepted: node itself first, then flags and the entry, without shell quoting, variables or npm.
 */
export function nodeArguments(command: string): string[] {
	const [program, ...args] = command.split(/\s+/);
	if (program !== 'node') throw new Error(`the start command must run node directly, not ${program}: ${command}`);
	const unsafe = args.find((arg) => !/^[\w./=:,-]+$/.test(arg));
	if (unsafe !== undefined) throw new Error(`the start command has an argument the bench would not pass the same way: ${unsafe}`);
	return args;
}

/** The V8 and Node flags of the Procfile's worker, the arguments before its entry point. */
export function procfileWorkerFlags(root = PROJECT_ROOT): string[] {
	const args = nodeArguments(procfileCommand('worker', root));
	if (args.at(-1) !== 'dist/index.js') throw new Error(`the Procfile's worker must start dist/index.js last: ${args.join(' ')}`);
	return args.slice(0, -1);
}
