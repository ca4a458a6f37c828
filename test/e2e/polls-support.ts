/**
 * Helpers shared by the poll end-to-end files: approving a server in the stack's database, creating a poll through
 * `/poll create`, voting, and reading the poll message back.
 */
import postgres from 'postgres';
import { expect } from 'vitest';
import type { FakeMessage, FakeUser } from '../fake-discord/index.js';
import type { Stack } from './harness.js';

export const EPHEMERAL = 64;

export function openDatabase(stack: Stack) {
	return postgres(stack.database.url, { max: 4, onnotice: () => {} });
}

/** Approves servers as the operator would, and tells the bot's approval cache at once. */
export async function approve(sql: postgres.Sql, ...guildIds: string[]) {
	for (const guildId of guildIds) {
		await sql`
			insert into guilds (guild_id, name, status) values (${guildId}, 'e2e', 'approved')
			on conflict (guild_id) do update set status = 'approved'
		`;
		await sql`select pg_notify('guild_status', ${guildId})`;
	}
}

export interface CreatedPoll {
	readonly number: number;
	readonly message: FakeMessage;
}

export async function createPoll(
	stack: Stack,
	user: FakeUser,
	guildId: string,
	options: Record<string, string | number | boolean>,
	channelId?: string
): Promise<CreatedPoll> {
	const handle = stack.fake.slash({ user, guildId, ...(channelId ? { channelId } : {}), command: 'poll create', options });
	const message = await handle.waitForOriginal();
	expect(message.flags & EPHEMERAL, `poll create answered ephemerally: ${message.content}`).toBe(0);
	const title = (message.embeds[0] as { title?: string } | undefined)?.title ?? '';
	const number = Number(/Poll #(\d+)/.exec(title)?.[1]);
	expect(number).toBeGreaterThan(0);
	return { number, message };
}

/** Runs a slash command and returns its (first) answer. */
export async function run(stack: Stack, user: FakeUser, guildId: string, command: string, options: Record<string, string | number | boolean> = {}) {
	return stack.fake.slash({ user, guildId, command, options }).waitForOriginal();
}

export function latest(stack: Stack, message: FakeMessage): FakeMessage {
	return stack.fake.message(message.id) ?? message;
}

export async function click(stack: Stack, user: FakeUser, message: FakeMessage, customId: string): Promise<FakeMessage> {
	return stack.fake.click({ user, message: latest(stack, message), customId }).waitForOriginal();
}

export async function select(stack: Stack, user: FakeUser, message: FakeMessage, customId: string, values: string[]): Promise<FakeMessage> {
	return stack.fake.select({ user, message: latest(stack, message), customId, values }).waitForOriginal();
}

/** The counts the poll message shows, option by option (`hidden until close` when hidden). */
export function shownCounts(message: FakeMessage): string[] {
	const fields = ((message.embeds[0] as { fields?: { value: string }[] } | undefined)?.fields ?? []).map((field) => field.value);
	return fields.map((value) => /(\d[\d,]*) votes?/.exec(value)?.[1]?.replaceAll(',', '') ?? value);
}

export function description(message: FakeMessage): string {
	return (message.embeds[0] as { description?: string } | undefined)?.description ?? '';
}

/** Waits until the poll message satisfies `check` (edits are coalesced, so they come up to 2 s later). */
export async function waitForPollMessage(stack: Stack, message: FakeMessage, check: (message: FakeMessage) => boolean, timeoutMs = 6_000) {
	return stack.fake.waitForMessage((candidate) => candidate.id === message.id && check(candidate), timeoutMs);
}

/** Runs `tasks` with at most `limit` in flight. */
export async function inBatches<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
	const results: T[] = new Array(count);
	let next = 0;
	await Promise.all(
		Array.from({ length: limit }, async () => {
			while (next < count) {
				const index = next++;
				results[index] = await task(index);
			}
		})
	);
	return results;
}

export function patchesOf(stack: Stack, messageId: string) {
	return stack.fake.requestLog.filter((entry) => entry.method === 'PATCH' && entry.path.endsWith(`/messages/${messageId}`));
}
