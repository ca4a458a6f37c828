/**
 * The language a poll's public messages are written in, chosen when it is created (the server's language then) and
 * kept for its whole life, so its later edits, its close and its closing notice read the same, also when the
 * scheduler closes it with no interaction to take a language from. Polls created before this were all English.
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	await sql`alter table polls add column locale text not null default 'en-US'`;
}

/** @param {import('postgres').Sql} sql */
export async function down(sql) {
	await sql`alter table polls drop column locale`;
}
