/**
 * The vote statement on its own, without Discord or the bot, from `connections` connections at once on a fresh
 * migrated database: what `castVote` sends (`poll_cast_votes`, migrations/013: the votes in flight, batched), the same
 * statement carrying one vote, `poll_cast_vote` without a claim, cut-down copies of the vote's body
 * (`poll_cast_vote_locked`) that stop at each `-- stage:` comment, the reference floor's single upsert, and a bare
 * round trip. Each is run in alternating rounds (every variant once per round, new voters and new
 * interactions every call) and reported as medians per call of PostgreSQL CPU (all its processes, from /proc) and WAL
 * bytes (pg_current_wal_lsn), with calls per second. The stages split a vote's cost in the database; the last one
 * is the whole function, with the commit that flushes its write. Then the plpgsql function's own time
 * (pg_stat_user_functions) and one EXPLAIN (ANALYZE, BUFFERS, WAL) of a vote.
 *
 *   npx tsx bench/vote-statement.ts [--calls 2000] [--rounds 3]     # standalone; bench/main.ts runs it too
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { startEmbeddedDatabase } from '../src/lib/database/embedded.js';
import { migrate } from '../src/lib/database/migrate.js';
import { castVote, createPoll, readPollState, type VoteMemory } from '../src/lib/polls/repository.js';
import { createDatabaseIn } from '../test/support/database.js';
import { cpuSplit, round, type Cleanups } from './harness.js';
import { median } from './scale.js';
import { pollDraft } from '../test/support/fixtures.js';

export interface StatementFigures {
	name: string;
	perSecond: number;
	postgresCpuMs: number;
	walBytes: number;
}

export interface StatementProfile {
	calls: number;
	rounds: number;
	connections: number;
	/** Medians over the rounds: the fixed {@link variants} and the function's stages. */
	variants: StatementFigures[];
	/** ours ÷ floor, of the medians. */
	ratio: { postgresCpuMs: number; walBytes: number; perSecond: number };
	/** The vote body's (`poll_cast_vote_locked`) own time per call over all rounds (pg_stat_user_functions, track_functions = pl). */
	functionSelfMs: number;
	/** EXPLAIN (ANALYZE, BUFFERS, WAL) of one `poll_cast_vote` call, as PostgreSQL prints it. */
	explain: string[];
}

/** What each fixed variant is, in the printed table; the stages are named by their comments in the function. */
export const variants = {
	'round trip': 'select 1 + $1, prepared: the floor under everything',
	floor: "the floor's upsert (bench/floor/main.ts)",
	'function alone': 'poll_cast_vote as migrated, without claiming an interaction',
	'ours, one per statement': 'poll_cast_votes carrying one vote and its claim',
	'ours, 5 per statement': 'poll_cast_votes carrying 5 votes and their claims (figures per vote)',
	'ours, 25 per statement': 'poll_cast_votes carrying 25 votes and their claims (figures per vote)',
	ours: 'castVote from 10 callers at once, as the bot sends votes (batched), and the fold of its deltas'
} as const;

/** Variants that cast several votes per call: they make `calls ÷ size` calls, and their figures are per vote. */
const votesPerCall: Record<string, number> = { 'ours, 5 per statement': 5, 'ours, 25 per statement': 25 };

/** The description of a variant `name` in the printed table. */
export function describeVariant(name: string): string {
	return name in variants
		? variants[name as keyof typeof variants]
		: 'the body of a vote (poll_cast_vote_locked: no claim, no lock) cut short before this stage (see its -- stage: comments)';
}

const guildId = '190000000000000001';
const discordEpoch = 1_420_070_400_000n;

/**
 * `text` (the `create or replace function poll_cast_vote_locked(` pg_get_functiondef gives) renamed to `name`, returning
 * early just before its comment `marker`.
 */
function cutAt(text: string, name: string, marker: string) {
	const renamed = text.replace(/CREATE OR REPLACE FUNCTION public\.poll_cast_vote_locked\(/i, `create function ${name}(`);
	if (renamed === text) throw new Error('pg_get_functiondef no longer starts as bench/vote-statement.ts expects');
	return renamed.replace(marker, `return null;\n${marker}`);
}

export async function profileVoteStatement(
	adminUrl: string,
	postgresDirectory: string,
	cleanups: Cleanups,
	options: { calls: number; rounds: number; connections?: number }
): Promise<StatementProfile> {
	const connections = options.connections ?? 10;
	const database = await createDatabaseIn(adminUrl);
	cleanups.push(() => database.drop());
	await migrate(database.url);
	const sql = postgres(database.url, { max: connections, onnotice: () => {}, connection: { track_functions: 'pl' } });
	cleanups.push(() => sql.end({ timeout: 1 }));
	await sql`
		create table floor_votes (
			guild_id bigint not null, message_id bigint not null, user_id bigint not null, option smallint not null,
			primary key (guild_id, message_id, user_id)
		)
	`;
	const [current] = await sql<{ text: string }[]>`
		select pg_get_functiondef(p.oid) as text from pg_proc p
		where p.proname = 'poll_cast_vote_locked' and p.pronamespace = current_schema()::regnamespace
	`;
	// Each `-- stage: what comes next` comment of the function ends a stage; the copies stop there.
	const markers = [...current!.text.matchAll(/^[\t ]*-- stage: (.*)$/gm)];
	const stageNames: string[] = [];
	for (const [index, match] of markers.entries()) {
		await sql.unsafe(cutAt(current!.text, `poll_cast_vote_stage_${index}`, match[0]));
		stageNames.push(`stage: before ${match[1]!.trim()}`);
	}

	const poll = await createPoll(sql, {
		guildId,
		channelId: '190000000000000002',
		creatorId: '190000000000000003',
		draft: pollDraft({ question: 'Profiled', options: ['A', 'B', 'C'] })
	});
	// Its own poll for the statement castVote sends, whose deltas are folded after each of its runs, as the bot folds
	// them when it edits the poll message: that cost is a vote's too.
	const ownPoll = await createPoll(sql, {
		guildId,
		channelId: '190000000000000002',
		creatorId: '190000000000000003',
		draft: pollDraft({ question: 'Profiled with folds', options: ['A', 'B', 'C'] })
	});
	let next = 0;
	const voter = () => String(200000000000000000n + BigInt(next++));
	// Interaction ids shaped as Discord's (their time in the top bits), new for every call.
	const interaction = () => String(((BigInt(Date.now()) - discordEpoch) << 22n) | BigInt(next++ & 0x3fffff));
	const vote = (fn: string) =>
		sql.unsafe(
			`select ${fn}($1::bigint, $2::int, $3::text, null::text, '{}'::bigint[], 0::smallint, '{}'::smallint[], '1500 milliseconds'::interval, false)`,
			[guildId, poll.number, voter()],
			{ prepare: true }
		);
	const labels = ['A', 'B', 'C'];
	// The bot's caches: the labels are known after a poll's first vote.
	const memory: VoteMemory = { labelsOf: () => labels, rememberLabels: (_poll, known) => known, saltOf: () => null, rememberSalt: () => {} };
	const calls: Record<string, () => Promise<unknown>> = {
		'round trip': () => sql.unsafe('select 1 + $1::int', [next++ % 1000], { prepare: true }),
		floor: () =>
			sql.unsafe(
				'insert into floor_votes (guild_id, message_id, user_id, option) values ($1, $2, $3, 0) on conflict (guild_id, message_id, user_id) do update set option = excluded.option',
				[guildId, '190000000000000004', voter()],
				{ prepare: true }
			),
		...Object.fromEntries(stageNames.map((name, index) => [name, () => vote(`poll_cast_vote_stage_${index}`)])),
		'function alone': () => vote('poll_cast_vote'),
		'ours, one per statement': () =>
			sql.unsafe(
				`select poll_cast_votes(json_build_array(json_build_object('guild', $1::text, 'poll', $2::int, 'user', $3::text, 'key', null,
					'roles', '[]'::json, 'toggle', 0, 'options', '[]'::json, 'labels', false, 'interaction', $4::text,
					'notAfter', clock_timestamp() + interval '1 minute')), '1500 milliseconds'::interval)`,
				[guildId, poll.number, voter(), interaction()],
				{ prepare: true }
			),
		...Object.fromEntries(
			Object.entries(votesPerCall).map(([name, size]) => [
				name,
				() =>
					sql`select poll_cast_votes(${sql.json(
						Array.from({ length: size }, () => ({
							guild: guildId,
							poll: poll.number,
							user: voter(),
							key: null,
							roles: [],
							toggle: 0,
							options: [],
							labels: false,
							interaction: interaction(),
							notAfter: new Date(Date.now() + 60_000).toISOString()
						}))
					)}::json, '1500 milliseconds'::interval)`
			])
		),
		ours: async () => {
			const cast = await castVote(
				sql,
				{
					guildId,
					number: ownPoll.number,
					userId: voter(),
					memberRoleIds: [],
					action: { kind: 'toggle', option: 0 },
					interactionId: interaction(),
					notAfter: new Date(Date.now() + 60_000)
				},
				memory
			);
			if (cast.isErr()) throw new Error(`the profiled vote failed: ${cast.unwrapErr()}`);
		}
	};
	const names = Object.keys(calls);
	const measureOne = async (name: string, count: number) => {
		const [wal] = await sql<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
		const cpuBefore = await cpuSplit(0, postgresDirectory);
		const started = performance.now();
		await drive(calls[name]!, Math.ceil(count / (votesPerCall[name] ?? 1)), connections);
		if (name === 'ours') (await readPollState(sql, guildId, ownPoll.number)).unwrap();
		const elapsed = performance.now() - started;
		const cpuAfter = await cpuSplit(0, postgresDirectory);
		const [walAfter] = await sql<{ bytes: string }[]>`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${wal!.lsn}::pg_lsn)::text as bytes`;
		return {
			perSecond: (count / elapsed) * 1000,
			postgresCpuMs: (cpuAfter.postgres - cpuBefore.postgres) / count,
			walBytes: Number(walAfter!.bytes) / count
		};
	};
	// Plans cached and connections open before anything counts.
	for (const name of names) await measureOne(name, 300);
	await sql`select pg_stat_reset()`;
	const seen = new Map<string, { perSecond: number; postgresCpuMs: number; walBytes: number }[]>();
	for (let index = 0; index < options.rounds; index++) {
		for (const name of names) seen.set(name, [...(seen.get(name) ?? []), await measureOne(name, options.calls)]);
	}
	const figures = names.map((name): StatementFigures => {
		const runs = seen.get(name)!;
		return {
			name,
			perSecond: Math.round(median(runs.map((entry) => entry.perSecond))),
			postgresCpuMs: Math.round(median(runs.map((entry) => entry.postgresCpuMs)) * 1000) / 1000,
			walBytes: Math.round(median(runs.map((entry) => entry.walBytes)))
		};
	});
	// The statistics reach the shared counters when a backend is idle for a moment, or when asked.
	await sql`select pg_stat_force_next_flush()`;
	await new Promise((resolve) => setTimeout(resolve, 1_500));
	const [own] = await sql<{ self: number; calls: number }[]>`
		select self_time as self, calls::int from pg_stat_user_functions where funcname = 'poll_cast_vote_locked'
	`;
	const explained = await sql<{ 'QUERY PLAN': string }[]>`
		explain (analyze, buffers, wal, costs off)
		select poll_cast_vote(${guildId}::bigint, ${poll.number}::int, ${voter()}::text, null::text, '{}'::bigint[], 0::smallint,
			'{}'::smallint[], '1500 milliseconds'::interval, false)
	`;
	await sql.end({ timeout: 1 });
	const ours = figures.find((entry) => entry.name === 'ours')!;
	const floor = figures.find((entry) => entry.name === 'floor')!;
	return {
		calls: options.calls,
		rounds: options.rounds,
		connections,
		variants: figures,
		ratio: {
			postgresCpuMs: round(ours.postgresCpuMs / floor.postgresCpuMs),
			walBytes: round(ours.walBytes / floor.walBytes),
			perSecond: round(ours.perSecond / floor.perSecond)
		},
		functionSelfMs: own ? Math.round((own.self / Math.max(1, own.calls)) * 1000) / 1000 : Number.NaN,
		explain: explained.map((row) => row['QUERY PLAN'])
	};
}

/** `count` calls, `inFlight` at a time. */
async function drive(call: () => Promise<unknown>, count: number, inFlight: number) {
	let remaining = count;
	const worker = async () => {
		while (remaining-- > 0) await call();
	};
	await Promise.all(Array.from({ length: inFlight }, worker));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const rest = process.argv.slice(2);
	const option = (name: string, fallback: number) => (rest.includes(name) ? Number(rest[rest.indexOf(name) + 1]) : fallback);
	const directory = await mkdtemp(join(tmpdir(), 'discord-test-bot-statement-'));
	const server = await startEmbeddedDatabase({ directory, persistent: false });
	const cleanups: Cleanups = [async () => server.stop(), () => rm(directory, { recursive: true, force: true })];
	try {
		const profile = await profileVoteStatement(server.url, directory, cleanups, {
			calls: option('--calls', 2_000),
			rounds: option('--rounds', 3)
		});
		for (const entry of profile.variants) console.log(entry);
		console.log({ ratio: profile.ratio, functionSelfMs: profile.functionSelfMs });
		console.log(profile.explain.join('\n'));
	} finally {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
	}
}
