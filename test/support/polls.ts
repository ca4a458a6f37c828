/**
 * Helpers shared by the end-to-end files that drive polls: approving a server in the stack's database, creating a
 * poll through `/poll create`, voting, and reading the poll message back.
 */
import { MessageFlags } from 'discord.js';
import postgres from 'postgres';
import { expect } from 'vitest';
import type { Stack } from '../e2e/harness.js';
import type { FakeMessage, FakeUser } from '../fake-discord/index.js';

/** Whether Discord shows this message only to the member it answers. */
export function isEphemeral(message: Pick<FakeMessage, 'flags'>): boolean {
	return (message.flags & MessageFlags.Ephemeral) !== 0;
}

/** A small pool on the stack's database, for tests that check or set rows directly. */
export function openStackDatabase(stack: Stack) {
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

export async function createPollByCommand(
	stack: Stack,
	user: FakeUser,
	guildId: string,
	options: Record<string, string | number | boolean>,
	channelId?: string
): Promise<CreatedPoll> {
	const handle = stack.fake.slash({ user, guildId, ...(channelId ? { channelId } : {}), command: 'poll create', options });
	const message = await handle.waitForOriginal();
	expect(isEphemeral(message), `poll create answered ephemerally: ${message.content}`).toBe(false);
	const title = (message.embeds[0] as { title?: string } | undefined)?.title ?? '';
	const number = Number(/Poll #(\d+)/.exec(title)?.[1]);
	expect(number).toBeGreaterThan(0);
	return { number, message };
}

/** Runs a slash command and returns its (first) answer. */
export async function runCommand(
	stack: Stack,
	user: FakeUser,
	guildId: string,
	command: string,
	options: Record<string, string | number | boolean> = {}
) {
	return stack.fake.slash({ user, guildId, command, options }).waitForOriginal();
}

/** The message as the fake holds it now (after the bot's edits). */
export function currentMessage(stack: Stack, message: FakeMessage): FakeMessage {
	return stack.fake.message(message.id) ?? message;
}

/** Clicks a button of the message as it is now, and returns the bot's answer. */
export async function clickButton(stack: Stack, user: FakeUser, message: FakeMessage, customId: string): Promise<FakeMessage> {
	return stack.fake.click({ user, message: currentMessage(stack, message), customId }).waitForOriginal();
}

/** Submits a select menu of the message as it is now, and returns the bot's answer. */
export async function submitSelect(stack: Stack, user: FakeUser, message: FakeMessage, customId: string, values: string[]): Promise<FakeMessage> {
	return stack.fake.select({ user, message: currentMessage(stack, message), customId, values }).waitForOriginal();
}

/** The counts the poll message shows, option by option (`hidden until close` when hidden). */
export function shownCounts(message: FakeMessage): string[] {
	const fields = ((message.embeds[0] as { fields?: { value: string }[] } | undefined)?.fields ?? []).map((field) => field.value);
	return fields.map((value) => /(\d[\d,]*) votes?/.exec(value)?.[1]?.replaceAll(',', '') ?? value);
}

/** The custom ids of the message's components a member can still use. */
export function enabledComponentIds(message: FakeMessage): string[] {
	const components = ((message.components ?? []) as { components: { custom_id?: string; disabled?: boolean }[] }[]).flatMap(
		(row) => row.components
	);
	return components.filter((component) => component.disabled !== true).map((component) => component.custom_id ?? '');
}

/** The text of the message's first embed. */
export function embedDescription(message: FakeMessage): string {
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

/** The edits the bot sent to a message with its own token (the poll message's coalesced edits). */
export function pollMessageEdits(stack: Stack, messageId: string) {
	return stack.fake.requestLog.filter((entry) => entry.method === 'PATCH' && entry.path.endsWith(`/messages/${messageId}`));
}

/** Holds an exclusive lock on `table` until `release()`: every statement touching it waits. */
export async function holdLock(sql: postgres.Sql, table: string) {
	let release!: () => void;
	const released = new Promise<void>((resolve) => (release = resolve));
	let locked!: () => void;
	const isLocked = new Promise<void>((resolve) => (locked = resolve));
	const holding = sql.begin(async (tx) => {
		await tx`lock table ${tx(table)} in access exclusive mode`;
		locked();
		await released;
	});
	await isLocked;
	return { release: async () => (release(), await holding) };
}
