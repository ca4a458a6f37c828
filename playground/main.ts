/**
 * `npm run playground`: the whole bot on this machine, with no Discord account. Starts PostgreSQL, the fake
 * Discord, the built bot and a web page on 127.0.0.1, prints the page's address, and stops everything on Ctrl+C.
 */
import { parseArgs } from 'node:util';
import { defaultDataDirectory, startPlayground, type Playground } from './playground.js';

const usage = `Usage: npm run playground -- [--port 3000] [--reset] [--quiet]

  --port N   web page port on 127.0.0.1 (default 3000, or PLAYGROUND_PORT / PORT)
  --reset    start from scratch: wipe .data/playground (database and servers)
  --quiet    do not print the bot's log
  --help     this text`;

let args;
try {
	args = parseArgs({
		options: {
			port: { type: 'string' },
			reset: { type: 'boolean', default: false },
			quiet: { type: 'boolean', default: false },
			help: { type: 'boolean', default: false }
		},
		strict: true
	}).values;
} catch (error) {
	console.error(`${(error as Error).message}\n\n${usage}`);
	process.exit(2);
}
if (args.help) {
	console.log(usage);
	process.exit(0);
}

const rawPort = args.port ?? process.env.PLAYGROUND_PORT ?? process.env.PORT ?? '3000';
const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : Number.NaN;
if (!(port >= 0 && port <= 65_535)) {
	console.error(`The port "${rawPort}" is not a number from 0 to 65535.`);
	process.exit(2);
}

let starting: Promise<Playground | null> = Promise.resolve(null);
let stopping = false;

async function stop(reason: string, exitCode: number) {
	if (stopping) {
		console.log('Stopping right away.');
		process.exit(exitCode || 130);
	}
	stopping = true;
	console.log(`\n${reason}: stopping the bot, the fake Discord and PostgreSQL...`);
	// Stopped while starting: let the start finish (or fail), so nothing it started is left running.
	const playground = await starting.catch(() => null);
	await playground?.close();
	console.log('Stopped.');
	process.exit(exitCode);
}

process.on('SIGINT', () => void stop('Ctrl+C', 0));
process.on('SIGTERM', () => void stop('SIGTERM', 0));

console.log('Starting the playground (PostgreSQL, the fake Discord, the bot)...');
starting = startPlayground({
	dataDirectory: defaultDataDirectory,
	reset: args.reset,
	port,
	log: (line) => console.log(`  ${line}`),
	onBotLine: (line) => {
		if (!args.quiet) console.log(`  bot │ ${line}`);
	},
	onBotExit: (code, signal) => void stop(`The bot exited on its own (code ${code}, signal ${signal}); see its log above`, 1)
});
try {
	const playground = await starting;
	if (playground && !stopping) {
		console.log(`
  Playground ready: ${playground.url}

  Act as the bot owner, members, a moderator or a role holder; the bot's approval requests arrive in the owner's DMs.
  Data: ${defaultDataDirectory} (--reset starts fresh). Ctrl+C stops everything.
`);
	}
} catch (error) {
	const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
	const message = error instanceof Error ? error.message : String(error);
	console.error(
		inUse
			? `Port ${port} is in use: choose another with --port, e.g. npm run playground -- --port 3001`
			: `The playground could not start: ${message}`
	);
	if (!stopping) process.exit(1);
}
