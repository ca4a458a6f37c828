/**
 * Interactions already acted on, by id, so that a state change (vote, close, create, approval decision) happens at
 * most once however many processes receive the same INTERACTION_CREATE: during a deploy overlap two sessions of one
 * shard both get it, and a RESUME can replay it. The first process to insert the id acts; the others stand down.
 *
 * A key is needed only while Discord can still deliver the interaction (its token lives 15 minutes from its
 * creation). An interaction id is a snowflake, whose top bits are that creation time, so the scheduler deletes older
 * keys in small batches along the primary key itself: no second index (and no time column) for every claim to
 * maintain, and cleaning never scans the table.
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	await sql`create table interaction_claims (interaction_id bigint primary key)`;
}

/** @param {import('postgres').Sql} sql */
export async function down(sql) {
	await sql`drop table interaction_claims`;
}
