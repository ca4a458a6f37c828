/**
 * The vote statement on its own, without Discord or the bot, from `connections` connections at once on a fresh
 * migrated database: `poll_cast_vote` as it is now, the function it replaced (migrations/004), cut-down copies of it
 * that stop after each stage, the reference floor's single upsert, and a bare round trip. Each is run in alternating
 * rounds (every variant once per round, new voters every call) and reported as medians per call of PostgreSQL CPU
 * (all its processes, from /proc) and WAL bytes (pg_current_wal_lsn), with calls per second. The stages split a vote's
 * cost in the database between its locks, its read, its decision and its write (with the commit that flushes it).
 * Then the plpgsql function's own time (pg_stat_user_functions) and one EXPLAIN (ANALYZE, BUFFERS, WAL) of a vote.
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
import { createPoll } from '../src/lib/polls/repository.js';
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
	/** Medians over the rounds, in the order of {@link variants}. */
	variants: StatementFigures[];
	/** ours ÷ floor, of the medians. */
	ratio: { postgresCpuMs: number; walBytes: number; perSecond: number };
	/** `poll_cast_vote`'s own time per call over all rounds (pg_stat_user_functions, track_functions = pl). */
	functionSelfMs: number;
	/** EXPLAIN (ANALYZE, BUFFERS, WAL) of one `poll_cast_vote` call, as PostgreSQL prints it. */
	explain: string[];
}

/** What each variant is, in the printed table. */
export const variants = {
	'round trip': 'select 1 + $1, prepared: the floor under everything',
	floor: "the floor's upsert (bench/floor/main.ts)",
	'stage: locks': 'poll_cast_vote up to its two advisory locks',
	'stage: + read': '... and its read of the poll and the member’s votes',
	'stage: + decide': '... and the checks and the choices',
	'stage: + write': '... and the write of the vote and its deltas (with the commit that flushes it)',
	ours: 'poll_cast_vote as migrated',
	'before 006': 'poll_cast_vote as migrations/004 had it (row lock FOR KEY SHARE)'
} as const;
type Variant = keyof typeof variants;

const guildId = '190000000000000001';

/** The SQL texts a migration's `up` sends, without running them. */
async function statementsOf(file: string): Promise<string[]> {
	const texts: string[] = [];
	const capture = (strings: TemplateStringsArray) => {
		texts.push(strings.join(''));
		return Promise.resolve([]);
	};
	const migration = (await import(new URL(`../migrations/${file}`, import.meta.url).href)) as { up(sql: unknown): Promise<void> };
	await migration.up(capture);
	return texts.filter((text) => text.includes('function poll_cast_vote('));
}

/** `text` (a `create ... function poll_cast_vote(`) renamed to `name`, and returning early just before `marker`. */
function cutAt(text: string, name: string, marker: string | null) {
	const renamed = text.replace(/create (or replace )?function poll_cast_vote\(/, `create function ${name}(`);
	if (marker === null) return renamed;
	if (!renamed.includes(marker)) throw new Error(`poll_cast_vote no longer has "${marker.trim()}": update bench/vote-statement.ts`);
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
		select pg_get_functiondef('poll_cast_vote(bigint, integer, text, text, bigint[], smallint, smallint[], interval, boolean)'::regprocedure) as text
	`;
	const stages: [string, string][] = [
		['stage_locks', '\t\t\t-- The poll and the member'],
		['stage_read', '\t\t\tif not found then'],
		['stage_decide', '\t\t\tv_voter_delta := case'],
		['stage_write', "\t\t\treturn json_build_object('outcome', 'ok', 'choices', to_json(v_after), 'changed', true"]
	];
	const [text] = await statementsOf('006_poll_vote_shared_lock.js');
	if (
		text!.replace(/\s+/g, ' ').includes(current!.text.replace(/\s+/g, ' ').split(' AS $function$')[1]!.split('$function$')[0]!.trim()) === false
	) {
		throw new Error("the migrated poll_cast_vote is not 006's: update the stages in bench/vote-statement.ts");
	}
	for (const [name, marker] of stages) await sql.unsafe(cutAt(text!, name, marker));
	const [before] = await statementsOf('004_poll_vote_deadline.js');
	await sql.unsafe(cutAt(before!, 'poll_cast_vote_004', null));

	const poll = await createPoll(sql, {
		guildId,
		channelId: '190000000000000002',
		creatorId: '190000000000000003',
		draft: pollDraft({ question: 'Profiled', options: ['A', 'B', 'C'] })
	});
	let next = 0;
	const voter = () => String(200000000000000000n + BigInt(next++));
	const vote = (fn: string) =>
		sql.unsafe(
			`select ${fn}($1::bigint, $2::int, $3::text, null::text, '{}'::bigint[], 0::smallint, '{}'::smallint[], '1500 milliseconds'::interval, false)`,
			[guildId, poll.number, voter()],
			{ prepare: true }
		);
	const calls: Record<Variant, () => Promise<unknown>> = {
		'round trip': () => sql.unsafe('select 1 + $1::int', [next++ % 1000], { prepare: true }),
		floor: () =>
			sql.unsafe(
				'insert into floor_votes (guild_id, message_id, user_id, option) values ($1, $2, $3, 0) on conflict (guild_id, message_id, user_id) do update set option = excluded.option',
				[guildId, '190000000000000004', voter()],
				{ prepare: true }
			),
		'stage: locks': () => vote('stage_locks'),
		'stage: + read': () => vote('stage_read'),
		'stage: + decide': () => vote('stage_decide'),
		'stage: + write': () => vote('stage_write'),
		ours: () => vote('poll_cast_vote'),
		'before 006': () => vote('poll_cast_vote_004')
	};
	const names = Object.keys(variants) as Variant[];
	const measureOne = async (name: Variant, count: number) => {
		const [wal] = await sql<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
		const cpuBefore = await cpuSplit(0, postgresDirectory);
		const started = performance.now();
		await drive(calls[name], count, connections);
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
	const seen = new Map<Variant, { perSecond: number; postgresCpuMs: number; walBytes: number }[]>();
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
		select self_time as self, calls::int from pg_stat_user_functions where funcname = 'poll_cast_vote'
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
