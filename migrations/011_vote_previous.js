/**
 * `poll_cast_vote` also answers the member's choices before the vote (`before`), so the voter can be told what
 * happened: "Your vote for Beach was removed", "changed from Beach to Rooftop". The choices after the vote alone
 * cannot say it: a single-choice vote for Rooftop may replace Beach or nothing.
 *
 * The function is patched where it builds its `ok` answer rather than redefined whole: other migrations change the
 * vote rule too (scheduled, ranked and weighted polls), and a full copy of 004's body here would silently undo
 * whichever of them ran before this one. Every `poll_cast_vote` found must contain the answer this patch extends;
 * one that does not stops the migration, so a later change of shape is noticed instead of losing `before`.
 */

const answer = "json_build_object('outcome', 'ok', 'choices', to_json(v_after)";
const answerWithBefore = "json_build_object('outcome', 'ok', 'before', to_json(v_before), 'choices', to_json(v_after)";

/**
 * Re-creates every `poll_cast_vote` of the current schema with `from` replaced by `to` in its body.
 *
 * @param {import('postgres').Sql} sql
 * @param {string} from
 * @param {string} to
 */
async function rewriteVoteFunction(sql, from, to) {
	const functions = await sql`
		select p.oid::regprocedure::text as signature, pg_get_functiondef(p.oid) as definition
		from pg_proc p
		where p.proname = 'poll_cast_vote' and p.pronamespace = current_schema()::regnamespace
	`;
	if (functions.length === 0) throw new Error('011_vote_previous: no poll_cast_vote function to extend');
	for (const { signature, definition } of functions) {
		if (!definition.includes(from)) throw new Error(`011_vote_previous: ${signature} does not build its answer as this migration expects`);
		// pg_get_functiondef gives a complete `create or replace function` statement; it takes no parameters.
		await sql.unsafe(definition.replaceAll(from, to));
	}
}

/** @param {import('postgres').Sql} sql */
export async function up(sql) {
	await rewriteVoteFunction(sql, answer, answerWithBefore);
}

/** @param {import('postgres').Sql} sql */
export async function down(sql) {
	await rewriteVoteFunction(sql, answerWithBefore, answer);
}
