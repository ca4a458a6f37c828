/**
 * `npm run soak -- --minutes N [--seed S]` (default 3; fractions allowed): the built bot under chaos, then its invariants.
 *
 * Three bot processes (two sharing shard 0, as in a deploy overlap, and one on shard 1) run against the fake Discord
 * and their own embedded PostgreSQL, reached through a TCP relay. Members vote, create and close polls at a steady
 * rate while faults are injected at random: gateway drops, invalid sessions, 429s and 500s on routes, a process
 * SIGKILLed and restarted, PostgreSQL restarted, the path to it cut, the path gone silent. Then the record is checked
 * against the database; the figures are printed, and any violation makes the exit code 1.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageFlags } from 'discord.js';
import postgres from 'postgres';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/lib/database/embedded.js';
import { FakeDiscord, Route, type FakeGuild, type FakeMessage, type FakeUser } from '../test/fake-discord/index.js';
import { couldAnswerInTime, type InteractionHandle } from '../test/fake-discord/interactions.js';
import { BotProcess, botEnvironment } from '../test/support/bot-process.js';
import { createDatabaseIn } from '../test/support/database.js';
import { TcpProxy } from '../test/support/tcp-proxy.js';

const minutesArgument = process.argv.indexOf('--minutes');
const minutes = minutesArgument === -1 ? 3 : Number(process.argv[minutesArgument + 1]);
if (!Number.isFinite(minutes) || minutes <= 0) {
	console.error('--minutes takes a positive number (fractions allowed), e.g. --minutes 1 or --minutes 0.5');
	process.exit(2);
}
const seedArgument = process.argv.indexOf('--seed');
const seed = seedArgument === -1 ? Math.floor(Math.random() * 2 ** 31) : Number(process.argv[seedArgument + 1]);
if (!Number.isSafeInteger(seed)) {
	console.error('--seed takes an integer, as a soak prints it');
	process.exit(2);
}
const owner = '300000000000000001';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const random = seededRandom(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/**
 * The soak's choices (which member does what, which fault, when) from one seed, printed with the figures: `--seed N`
 * makes the same choices again. The timing of three processes still differs between runs, so a replay repeats the
 * schedule of faults and actions, not every interleaving. A 32-bit xorshift, enough for picking among a few.
 */
function seededRandom(start: number): () => number {
	let state = start >>> 0 || 1;
	return () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return (state >>> 0) / 2 ** 32;
	};
}

interface Vote {
	readonly handle: InteractionHandle;
	readonly voter: FakeUser;
	readonly poll: SoakPoll;
	readonly option: number;
	readonly at: number;
}
interface SoakPoll {
	readonly guild: FakeGuild;
	readonly number: number;
	readonly message: FakeMessage;
	closing: boolean;
}

const faults = new Map<string, number>();
/** When the database was unreachable (restart, cut, silence), widened by the answer budget on both sides. */
const databaseDown: Array<{ from: number; to: number }> = [];
const violations: string[] = [];
let violationCount = 0;
const violate = (text: string) => {
	violationCount++;
	if (violations.length < 100) violations.push(text);
};

const cleanups: (() => Promise<unknown>)[] = [];
let exitCode = 0;
try {
	const directory = await mkdtemp(join(tmpdir(), 'soak-'));
	cleanups.push(() => rm(directory, { recursive: true, force: true }));
	let server: EmbeddedDatabase = await startEmbeddedDatabase({ directory, persistent: true });
	const port = Number(new URL(server.url).port);
	cleanups.push(() => server.stop());
	const database = await createDatabaseIn(server.url);
	const proxy = await TcpProxy.start({ host: '127.0.0.1', port });
	cleanups.push(() => proxy.close());
	const password = decodeURIComponent(new URL(server.url).password);

	const fake = await FakeDiscord.start({ shardCount: 2 });
	cleanups.push(() => fake.close());
	const creator = fake.createUser({ username: 'creator', id: owner });
	const guilds: FakeGuild[] = [];
	while (guilds.length < 6 || new Set(guilds.map((guild) => fake.shardForGuild(guild.id, 2))).size < 2) {
		const guild = fake.createGuild({ name: `Soak ${guilds.length}`, ownerId: creator.id });
		fake.addMember(guild.id, creator.id);
		guilds.push(guild);
	}
	const direct = postgres(database.url, { max: 4, onnotice: () => {}, connect_timeout: 2 });
	cleanups.push(() => direct.end({ timeout: 1 }));

	const env = (shards: string) =>
		botEnvironment({
			OWNER_ID: owner,
			DATABASE_URL: proxy.rewrite(database.url),
			DISCORD_API_URL: fake.restBase,
			SHARD_COUNT: '2',
			SHARD_IDS: shards
		});
	const bots = [new BotProcess('bot A (shard 0)', env('0'), fake, 60_000), new BotProcess('bot B (shard 0)', env('0'), fake, 60_000)];
	bots.push(new BotProcess('bot C (shard 1)', env('1'), fake, 60_000));
	cleanups.push(() => Promise.allSettled(bots.filter((bot) => bot.running).map((bot) => bot.stop('SIGKILL'))));
	for (const bot of bots) await bot.start();
	// The bot migrated the database: approve every server as the operator would.
	for (const guild of guilds) {
		await direct`insert into guilds (guild_id, name, status) values (${guild.id}, 'soak', 'approved')
			on conflict (guild_id) do update set status = 'approved'`;
		await direct`select pg_notify('guild_status', ${guild.id})`;
	}
	await sleep(1_000);

	const polls: SoakPoll[] = [];
	const votes: Vote[] = [];
	const others: InteractionHandle[] = [];
	let users = 0;
	const newVoter = (guild: FakeGuild) => {
		const voter = fake.createUser({ username: `m${users++}` });
		fake.addMember(guild.id, voter.id);
		return voter;
	};
	const createPoll = async (guild: FakeGuild) => {
		// While a shard has no session (a gateway fault), members cannot reach the bot there: nothing to send.
		if (!fake.sessions(fake.shardForGuild(guild.id, 2)).some((session) => session.connected)) return;
		const handle = fake.slash({
			user: creator,
			guildId: guild.id,
			command: 'poll create',
			options: { question: `Soak ${polls.length}?`, options: 'a | b | c', duration: '1h' }
		});
		others.push(handle);
		const message = await handle.waitForOriginal(20_000).catch(() => null);
		const number = Number(/Poll #(\d+)/.exec((message?.embeds[0] as { title?: string } | undefined)?.title ?? '')?.[1]);
		// A new poll is a message for everyone: one its creator alone can see (an ephemeral reply edited into it) is lost.
		if (message && number > 0 && (message.flags & MessageFlags.Ephemeral) !== 0)
			violate(`poll ${guild.id}#${number}: posted in an ephemeral reply (${handle.id})`);
		if (message && number > 0) polls.push({ guild, number, message, closing: false });
	};
	for (const guild of guilds) await createPoll(guild);
	const reachable = (guild: FakeGuild) => fake.sessions(fake.shardForGuild(guild.id, 2)).some((session) => session.connected);

	const endAt = Date.now() + minutes * 60_000;
	const work = (async () => {
		while (Date.now() < endAt) {
			const roll = random();
			const open = polls.filter((poll) => !poll.closing);
			if (roll < 0.04 || open.length < 3)
				void createPoll(pick(guilds)).catch((error: unknown) => violate(`a create failed in the soak: ${String(error)}`));
			else if (roll < 0.06 && open.length > 3) {
				const poll = pick(open);
				if (!reachable(poll.guild)) {
					await sleep(40);
					continue;
				}
				poll.closing = true;
				if (random() < 0.5) {
					// A deadline: the scheduler of the server's shard closes and announces it.
					await direct`update polls set closes_at = now() where guild_id = ${poll.guild.id} and poll_number = ${poll.number}`.catch(() => {
						poll.closing = false;
					});
				} else {
					const message = fake.message(poll.message.id) ?? poll.message;
					others.push(fake.click({ user: creator, message, customId: `pc:${poll.guild.id}:${poll.number}` }));
				}
			} else {
				const poll = pick(open);
				if (!reachable(poll.guild)) {
					await sleep(40);
					continue;
				}
				const voter = newVoter(poll.guild);
				const option = Math.floor(random() * 3);
				const message = fake.message(poll.message.id) ?? poll.message;
				try {
					const handle = fake.click({ user: voter, message, customId: `pv:${poll.guild.id}:${poll.number}:${option}` });
					votes.push({ handle, voter, poll, option, at: Date.now() });
				} catch {
					// The message shows the poll closed (disabled buttons): a member could not click either.
				}
			}
			await sleep(40);
		}
	})();

	const downFor = async (kind: string, ms: number, begin: () => Promise<unknown> | void, end: () => Promise<unknown>) => {
		const from = Date.now();
		await begin();
		await sleep(ms);
		await end();
		databaseDown.push({ from, to: Date.now() });
		faults.set(kind, (faults.get(kind) ?? 0) + 1);
	};
	/** A shard with a connected session, or `null` when a fault is already keeping it down (the fault is then skipped). */
	const liveShard = (...candidates: number[]) => {
		const live = candidates.filter((shard) => fake.sessions(shard).some((session) => session.connected));
		return live.length === 0 ? null : pick(live);
	};
	const skipped = new Map<string, number>();
	class NothingToInject extends Error {}
	const faultKinds: Record<string, () => Promise<void>> = {
		'gateway drop': async () => {
			const shard = liveShard(0, 1);
			if (shard === null) throw new NothingToInject();
			fake.dropShard(shard, { resumable: true });
		},
		'invalid session': async () => {
			if (liveShard(1) === null) throw new NothingToInject();
			fake.invalidateSession(1, false);
		},
		'429 on callbacks': async () => fake.rateLimitNext(Route.interactionCallback, 2, 0.3),
		'500 on poll edits': async () => fake.failNext(Route.editMessage, 3, 500),
		'process SIGKILL': async () => {
			const bot = bots[1]!;
			await bot.stop('SIGKILL');
			await sleep(1_000);
			await bot.start();
		},
		'PostgreSQL restart': () =>
			downFor(
				'PostgreSQL restart',
				500,
				() => server.stop(),
				async () => {
					server = await startEmbeddedDatabase({ directory, persistent: true, port });
				}
			),
		'database cut': () =>
			downFor(
				'database cut',
				2_000,
				() => proxy.cut(),
				() => proxy.restore()
			),
		'silent network': () =>
			downFor(
				'silent network',
				3_000,
				() => proxy.silence(),
				() => proxy.restore()
			)
	};
	const chaos = (async () => {
		await sleep(3_000);
		while (Date.now() < endAt - 5_000) {
			const kind = pick(Object.keys(faultKinds));
			try {
				await faultKinds[kind]!();
				if (!['PostgreSQL restart', 'database cut', 'silent network'].includes(kind)) faults.set(kind, (faults.get(kind) ?? 0) + 1);
			} catch (error) {
				// Nothing to drop while an earlier fault keeps the shard down: not a fault of the bot, and not one injected.
				if (error instanceof NothingToInject) skipped.set(kind, (skipped.get(kind) ?? 0) + 1);
				else violate(`fault "${kind}" could not be injected: ${String(error)}`);
			}
			await sleep(4_000 + random() * 4_000);
		}
	})();
	await Promise.all([work, chaos]);
	for (const bot of bots) if (!bot.running) await bot.start();
	// Let the bots converge (deferred answers, queued and healed edits, the scheduler's closes and announcements),
	// then check: until nothing is due, unannounced or unshown, for 90 s at most. What has not settled by then is
	// what the invariants report.
	const settleStarted = Date.now();
	await sleep(5_000);
	for (;;) {
		const [pending] = await direct<{ due: number; unannounced: number; unshown: number }[]>`
			select (select count(*)::int from polls where closed_at is null and closes_at <= now()) as due,
				(select count(*)::int from polls where closed_at is not null and announced_at is null) as unannounced,
				(select count(*)::int from poll_count_deltas) as unshown`;
		if ((pending!.due === 0 && pending!.unannounced === 0 && pending!.unshown === 0) || Date.now() - settleStarted > 90_000) break;
		await sleep(1_000);
	}
	// The last edits and notices in flight when the database said "settled".
	await sleep(3_000);
	const settledMs = Date.now() - settleStarted;

	// Invariants.
	const duringOutage = (at: number) => databaseDown.some((window) => at >= window.from - 3_000 && at <= window.to + 3_000);
	const rows = await direct<{ guild: string; poll: number; voter: string; option: number }[]>`
		select guild_id::text as guild, poll_number as poll, voter, option_index as option from poll_votes`;
	const stored = new Map(rows.map((row) => [`${row.guild}:${row.poll}:${row.voter}`, row.option]));
	let confirmed = 0;
	let unavailable = 0;
	let unanswered = 0;
	let refused = 0;
	for (const vote of votes) {
		const key = `${vote.poll.guild.id}:${vote.poll.number}:${vote.voter.id}`;
		const answer = await vote.handle.waitForOriginal(1_000).catch(() => null);
		const content = answer?.content ?? '';
		if (content.startsWith('Your vote in poll')) {
			confirmed++;
			if (stored.get(key) !== vote.option) violate(`${key}: confirmed but stored ${String(stored.get(key))}, not ${vote.option}`);
		} else if (/temporarily unavailable/.test(content)) {
			unavailable++;
			if (stored.has(key)) violate(`${key}: told "temporarily unavailable" but the vote was stored`);
		} else if (answer === null) {
			unanswered++;
			if (!duringOutage(vote.at)) violate(`${key}: no answer, outside any database outage`);
		} else {
			refused++;
			if (stored.has(key)) violate(`${key}: refused ("${content.slice(0, 60)}") but stored`);
		}
		stored.delete(key);
	}
	// Discord's 3 s hold for every interaction, a database outage included: the bot defers when it cannot answer.
	for (const handle of [...votes.map((vote) => vote.handle), ...others]) {
		const callbackMs = handle.callbackMs;
		if (callbackMs !== undefined && callbackMs >= 3_000)
			violate(`${handle.record.label} (${handle.id}): first answer after ${Math.round(callbackMs)} ms`);
	}
	// A create or close never acknowledged at all (votes are counted above, with their own outage rule).
	for (const handle of others)
		if (handle.record.callback === undefined && !duringOutage(handle.record.dispatchedAt))
			violate(`${handle.record.label} (${handle.id}): never answered, outside any database outage`);
	for (const key of stored.keys()) if (!key.endsWith(`:${owner}`)) violate(`${key}: a vote nobody cast in the soak`);

	const counts = await direct<{ guild: string; poll: number; option: number; votes: number }[]>`
		select o.guild_id::text as guild, o.poll_number as poll, o.option_index as option,
			(select count(*)::int from poll_votes v where v.guild_id = o.guild_id and v.poll_number = o.poll_number and v.option_index = o.option_index) as votes
		from poll_options o order by 1, 2, 3`;
	const closedRows = await direct<{ guild: string; poll: number; reason: string | null; announced: boolean }[]>`
		select guild_id::text as guild, poll_number as poll, close_reason as reason, announced_at is not null as announced from polls where closed_at is not null`;
	for (const poll of polls) {
		const expected = counts.filter((row) => row.guild === poll.guild.id && row.poll === poll.number).map((row) => String(row.votes));
		const shown = ((fake.message(poll.message.id)?.embeds[0] as { fields?: { value: string }[] } | undefined)?.fields ?? []).map(
			(field) => /(\d[\d,]*) votes?/.exec(field.value)?.[1]?.replaceAll(',', '') ?? field.value
		);
		if (shown.join() !== expected.join())
			violate(`poll ${poll.guild.id}#${poll.number}: message shows ${shown.join()}, database ${expected.join()}`);
		const closed = closedRows.find((row) => row.guild === poll.guild.id && row.poll === poll.number);
		const notices = fake
			.messages(poll.message.channel_id)
			.filter(
				(message) =>
					(message.flags & 64) === 0 &&
					message.content.startsWith(`Poll #${poll.number} is closed.`) &&
					message.content.includes(poll.message.id)
			);
		if (closed && notices.length !== 1) violate(`poll ${poll.guild.id}#${poll.number} (${closed.reason}): ${notices.length} closing notices`);
		if (!closed && notices.length > 0) violate(`poll ${poll.guild.id}#${poll.number}: announced but open`);
	}
	for (const problem of fake.protocolProblems()) violate(`protocol: ${problem}`);
	const output = bots.map((bot) => bot.output()).join('\n');
	// Kept for reading after a failed run (git-ignored).
	if (process.env.SOAK_LOG) (await import('node:fs')).writeFileSync(process.env.SOAK_LOG, output);
	if (output.includes(password)) violate('the database password appears in a log');
	if (output.includes('e2e.fake-token')) violate('the bot token appears in a log');
	const errors = output.split('\n').filter((line) => / ERROR /.test(line));

	console.log(
		`\nSoak: ${minutes} min, 3 processes (2 on shard 0, 1 on shard 1), ${polls.length} polls, seed ${seed} (--seed ${seed} replays its choices)`
	);
	console.log(`Interactions: ${votes.length + others.length} (${votes.length} votes, ${others.length} creates and closes)`);
	console.log(
		`Votes: ${confirmed} confirmed, ${unavailable} "temporarily unavailable", ${refused} refused (closed), ${unanswered} unanswered during outages`
	);
	console.log(`Faults: ${[...faults].map(([kind, count]) => `${kind} ×${count}`).join(', ') || 'none'}`);
	// Replayed by a resume too late for any answer: Discord refuses those callbacks, and the fake does not blame the bot.
	const tooLate = [...votes.map((vote) => vote.handle), ...others].filter((handle) => !couldAnswerInTime(handle.record)).length;
	if (tooLate > 0) console.log(`Delivered too late to answer (a session resumed after the 3 s): ${tooLate}`);
	if (skipped.size > 0) console.log(`Skipped (the shard was already down): ${[...skipped].map(([kind, count]) => `${kind} ×${count}`).join(', ')}`);
	console.log(`Polls closed: ${closedRows.length} (${closedRows.filter((row) => row.reason === 'deadline').length} by deadline)`);
	console.log(`ERROR lines in the bots' logs: ${errors.length}${errors.length ? `\n  ${errors.slice(0, 5).join('\n  ')}` : ''}`);
	if (errors.length > 0) {
		// What the bots said of those interactions, to read the error in its story; the whole logs stay on disk.
		const logFile = join(tmpdir(), `discord-test-bot-soak-${seed}.log`);
		await writeFile(logFile, output);
		for (const id of new Set(errors.slice(0, 5).flatMap((line) => /interactionId=(\d+)/.exec(line)?.[1] ?? []))) {
			const story = output.split('\n').filter((line) => line.includes(id));
			console.log(`  interaction ${id}, as the bots logged it:\n    ${story.slice(0, 20).join('\n    ')}`);
		}
		console.log(`  the bots' whole logs: ${logFile}`);
	}
	console.log(`Settled in ${(settledMs / 1000).toFixed(1)} s after the last fault and vote`);
	console.log(
		violationCount === 0
			? 'Invariants: all hold'
			: `Invariants violated (${violationCount}${violationCount > violations.length ? `, the first ${violations.length} listed` : ''}):\n  ${violations.join('\n  ')}`
	);
	exitCode = violationCount === 0 ? 0 : 1;
} catch (error) {
	console.error('The soak could not run:', error);
	exitCode = 2;
} finally {
	for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}
process.exit(exitCode);
