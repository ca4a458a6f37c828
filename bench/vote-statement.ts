/**
 * The vote statement on its own, without Discord or the bot: `poll_cast_vote` as castVote sends it, against the
 * reference floor's single upsert, each from `connections` connections at once on a fresh migrated database. For each:
 * calls per second, PostgreSQL CPU per call (all its processes, /proc), WAL bytes per call (pg_current_wal_lsn),
 * shared buffers touched per call and the plpgsql function's own time (pg_stat_user_functions, track_functions = pl),
 * and one EXPLAIN (ANALYZE, BUFFERS, WAL) of a single vote.
 *
 *   npx tsx bench/vote-statement.ts [--calls 6000]     # standalone; bench/main.ts runs it too
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { startEmbeddedDatabase } from '../src/lib/database/embedded.js';
import { migrate } from '../src/lib/database/migrate.js';
import { castVote, createPoll } from '../src/lib/polls/repository.js';
import { createDatabaseIn } from '../test/support/database.js';
import { cpuSplit, round, type Cleanups } from './harness.js';

export interface StatementFigures {
	calls: number;
	connections: number;
	perSecond: number;
	postgresCpuMs: number;
	walBytes: number;
	sharedBuffers: number;
	/** The plpgsql function's own time per call (ours only; the floor has no function). */
	functionSelfMs: number | null;
}

export interface StatementProfile {
	ours: StatementFigures;
	floor: StatementFigures;
	/** ours ÷ floor. */
	ratio: { postgresCpuMs: number; walBytes: number; perSecond: number };
	/** EXPLAIN (ANALYZE, BUFFERS, WAL) of one `poll_cast_vote` call, as PostgreSQL prints it. */
	explain: string[];
}

const guildId = '190000000000000001';

export async function profileVoteStatement(adminUrl: string, postgresDirectory: string, cleanups: Cleanups, calls: number, connections = 10) {
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
	const poll = await createPoll(sql, {
		guildId,
		channelId: '190000000000000002',
		creatorId: '190000000000000003',
		draft: { question: 'Profiled', options: ['A', 'B', 'C'], durationMs: null, maxChoices: 1, anonymous: false, hideResults: false, roleId: null }
	});
	const voter = (index: number) => String(200000000000000000n + BigInt(index));
	let next = 0;
	const ours = () =>
		castVote(sql, { guildId, number: poll.number, userId: voter(next++), memberRoleIds: [], action: { kind: 'toggle', option: 0 } });
	const floor = () => sql`
		insert into floor_votes (guild_id, message_id, user_id, option) values (${guildId}, ${'190000000000000004'}, ${voter(next++)}, ${0})
		on conflict (guild_id, message_id, user_id) do update set option = excluded.option
	`;
	// Warm both (plans cached, connections open) before anything is measured.
	await drive(ours, 500, connections);
	await drive(floor, 500, connections);
	const measure = async (call: () => Promise<unknown>, withFunction: boolean): Promise<StatementFigures> => {
		await sql`vacuum analyze`;
		await sql`select pg_stat_reset()`;
		const [wal] = await sql<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
		const before = await cpuSplit(0, postgresDirectory);
		const [buffers] = await sql<
			{ hits: string }[]
		>`select sum(blks_hit + blks_read)::text as hits from pg_stat_database where datname = current_database()`;
		const started = performance.now();
		await drive(call, calls, connections);
		const elapsed = performance.now() - started;
		const after = await cpuSplit(0, postgresDirectory);
		const [walAfter] = await sql<{ bytes: string }[]>`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${wal!.lsn}::pg_lsn)::text as bytes`;
		// The statistics collector publishes at transaction end; give it a moment.
		await sql`select pg_stat_force_next_flush()`;
		await new Promise((resolve) => setTimeout(resolve, 1_100));
		const [buffersAfter] = await sql<
			{ hits: string }[]
		>`select sum(blks_hit + blks_read)::text as hits from pg_stat_database where datname = current_database()`;
		const [own] = withFunction
			? await sql<
					{ self: number; calls: number }[]
				>`select self_time as self, calls::int from pg_stat_user_functions where funcname = 'poll_cast_vote'`
			: [];
		return {
			calls,
			connections,
			perSecond: Math.round((calls / elapsed) * 1000),
			postgresCpuMs: round((after.postgres - before.postgres) / calls),
			walBytes: Math.round(Number(walAfter!.bytes) / calls),
			sharedBuffers: round((Number(buffersAfter!.hits) - Number(buffers!.hits)) / calls),
			functionSelfMs: own ? Math.round((own.self / Math.max(1, own.calls)) * 1000) / 1000 : null
		};
	};
	const oursFigures = await measure(ours, true);
	const floorFigures = await measure(floor, false);
	const explained = await sql<{ 'QUERY PLAN': string }[]>`
		explain (analyze, buffers, wal, costs off)
		select poll_cast_vote(${guildId}::bigint, ${poll.number}::int, ${voter(next++)}::text, null::text, '{}'::bigint[], 0::smallint,
			'{}'::smallint[], '500 milliseconds'::interval, false)
	`;
	await sql.end({ timeout: 1 });
	return {
		ours: oursFigures,
		floor: floorFigures,
		ratio: {
			postgresCpuMs: round(oursFigures.postgresCpuMs / floorFigures.postgresCpuMs),
			walBytes: round(oursFigures.walBytes / floorFigures.walBytes),
			perSecond: round(oursFigures.perSecond / floorFigures.perSecond)
		},
		explain: explained.map((row) => row['QUERY PLAN'])
	} satisfies StatementProfile;
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
	const calls = rest.includes('--calls') ? Number(rest[rest.indexOf('--calls') + 1]) : 6_000;
	const directory = await mkdtemp(join(tmpdir(), 'discord-test-bot-statement-'));
	const server = await startEmbeddedDatabase({ directory, persistent: false });
	const cleanups: Cleanups = [async () => server.stop(), () => rm(directory, { recursive: true, force: true })];
	try {
		const profile = await profileVoteStatement(server.url, directory, cleanups, calls);
		console.log(JSON.stringify({ ours: profile.ours, floor: profile.floor, ratio: profile.ratio }, null, 2));
		console.log(profile.explain.join('\n'));
	} finally {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
	}
}
