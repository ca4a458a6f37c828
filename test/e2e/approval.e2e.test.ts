import postgres from 'postgres';
import { afterAll, describe, expect, test } from 'vitest';
import { inject } from 'vitest';
import type { FakeDiscord, FakeGuild, FakeMessage, FakeUser } from '../fake-discord/index.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { expectCleanProtocol, useStack, type Stack } from './harness.js';
import { isEphemeral } from '../support/polls.js';

const ownerA = '200000000000000001';
const ownerB = '200000000000000002';

interface World {
	ownerA: FakeUser;
	ownerB: FakeUser;
	member: FakeUser;
	/** Joined while the bot was offline: it arrives in READY. */
	offlineGuild: FakeGuild;
}

const world = {} as World;

function setup(fake: FakeDiscord) {
	world.ownerA = fake.createUser({ username: 'owner-a', id: ownerA });
	world.ownerB = fake.createUser({ username: 'owner-b', id: ownerB });
	world.member = fake.createUser({ username: 'member' });
	world.offlineGuild = fake.createGuild({ name: 'Joined While Offline', ownerId: world.member.id, memberCount: 42 });
}

/** The approval DMs an owner received about one server. */
function approvalDms(fake: FakeDiscord, owner: FakeUser, guildId: string): FakeMessage[] {
	return fake.dms(owner.id).filter((message) => buttons(message).some((button) => button.custom_id?.startsWith(`apv:${guildId}:`)));
}

function buttons(message: FakeMessage) {
	return ((message.components ?? []) as { components: { custom_id?: string; label?: string; disabled?: boolean }[] }[]).flatMap(
		(row) => row.components
	);
}

/** The choices an autocomplete was answered with. */
async function choicesOf(handle: { response: Promise<unknown> }) {
	const body = (await handle.response) as { data?: { choices?: { name: string; value: string }[] } };
	return body.data?.choices ?? [];
}

function textOf(message: FakeMessage) {
	return `${message.content} ${JSON.stringify(message.embeds)}`;
}

async function waitForApprovalDm(fake: FakeDiscord, owner: FakeUser, guildId: string) {
	return fake.waitForMessage((message) => message.channel_id === fake.dmChannel(owner.id)?.id && textOf(message).includes(guildId), 10_000);
}

async function guildStatus(stack: Stack, guildId: string) {
	const sql = postgres(stack.database.url, { max: 1, onnotice: () => {} });
	try {
		const [row] = await sql<{ status: string }[]>`select status::text from guilds where guild_id = ${guildId}`;
		return row?.status ?? null;
	} finally {
		await sql.end();
	}
}

/** Runs `/admin ...` as `user` from their DMs with the bot and returns the answer. */
function admin(stack: Stack, user: FakeUser, command: string, options: Record<string, string> = {}) {
	return stack.fake.slash({ user, command: `admin ${command}`, options }).waitForOriginal();
}

/** Runs a command in a server and returns its answer. */
function inGuild(stack: Stack, user: FakeUser, guild: FakeGuild, command: string, options: Record<string, string | number | boolean> = {}) {
	return stack.fake.slash({ user, guildId: guild.id, command, options }).waitForOriginal();
}

async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<{ value: T; ms: number }> {
	const started = performance.now();
	for (;;) {
		const value = await probe();
		const ms = performance.now() - started;
		if (accept(value) || ms > timeoutMs) return { value, ms };
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
}

describe('GIVEN the bot with two owners', () => {
	const stack = useStack({ setup, env: { OWNER_ID: `${ownerA},${ownerB}` } });
	let guild: FakeGuild;

	test('WHEN it starts in a server it joined while offline THEN records it as pending and DMs each owner once', async () => {
		const { fake } = stack();
		const dm = await waitForApprovalDm(fake, world.ownerA, world.offlineGuild.id);
		await waitForApprovalDm(fake, world.ownerB, world.offlineGuild.id);
		expect(await guildStatus(stack(), world.offlineGuild.id)).toBe('pending');
		expect(textOf(dm)).toContain('Joined While Offline');
		expect(textOf(dm)).toContain('42');
		expect(textOf(dm)).toContain(world.member.id);
		expect(buttons(dm).map((button) => button.label)).toEqual(['Approve', 'Deny']);
		expect(approvalDms(fake, world.ownerA, world.offlineGuild.id)).toHaveLength(1);
		expectCleanProtocol(fake);
	});

	test('WHEN the bot joins a new server THEN it is pending and every owner gets a DM with Approve and Deny', async () => {
		const { fake } = stack();
		guild = fake.createGuild({ name: 'Fresh <@&1> Server', ownerId: world.member.id, memberCount: 7 });
		fake.addMember(guild.id, world.member.id);
		const [dmA, dmB] = await Promise.all([waitForApprovalDm(fake, world.ownerA, guild.id), waitForApprovalDm(fake, world.ownerB, guild.id)]);
		expect(await guildStatus(stack(), guild.id)).toBe('pending');
		for (const dm of [dmA, dmB]) {
			expect(buttons(dm).every((button) => !button.disabled)).toBe(true);
			expect(dm.wouldPing).toEqual({ everyone: false, roles: [], users: [] });
		}
		expectCleanProtocol(fake);
	});

	test('WHEN a member uses the bot in the pending server THEN only /help and /ping work, and the refusal is ephemeral', async () => {
		const { fake } = stack();
		const refused = await inGuild(stack(), world.member, guild, 'poll list');
		expect(refused.content).toMatch(/waiting for approval/);
		expect(isEphemeral(refused)).toBe(true);
		expect((await inGuild(stack(), world.member, guild, 'ping')).content).toMatch(/^Pong!/);
		const help = await inGuild(stack(), world.member, guild, 'help');
		expect(textOf(help)).toMatch(/waiting for approval/);
		expect(textOf(help)).not.toContain('/poll');
		expect(textOf(help)).not.toContain('/admin');
		// /help checking whether the member may run /admin is not an attempt to run it.
		expect(stack().bot.output()).not.toContain(`Refused an owner-only command to user ${world.member.id}`);
		expectCleanProtocol(fake);
	});

	test('WHEN someone who is not an owner clicks Approve THEN they are refused and nothing changes', async () => {
		const { fake } = stack();
		const [dm] = approvalDms(fake, world.ownerA, guild.id);
		const click = fake.click({ user: world.member, message: dm!, customId: `apv:${guild.id}:a` });
		const answer = await click.waitForOriginal();
		expect(answer.content).toMatch(/Only the bot’s owner/);
		expect(isEphemeral(answer)).toBe(true);
		expect(await guildStatus(stack(), guild.id)).toBe('pending');
		expectCleanProtocol(fake);
	});

	test('WHEN an owner clicks Approve THEN both DMs show the decision with buttons disabled and commands work', async () => {
		const { fake } = stack();
		const [dm] = approvalDms(fake, world.ownerA, guild.id);
		const click = fake.click({ user: world.ownerA, message: dm!, customId: `apv:${guild.id}:a` });
		// Acknowledged at once (deferred update), then the DM itself is edited.
		const response = (await click.response) as { type: number };
		expect(response.type).toBe(6);
		const updatedA = await click.waitForOriginal();
		expect(updatedA.id).toBe(dm!.id);
		expect(await guildStatus(stack(), guild.id)).toBe('approved');
		expect(textOf(updatedA)).toMatch(/Approved by/);
		expect(buttons(updatedA).every((button) => button.disabled)).toBe(true);
		const [dmB] = approvalDms(fake, world.ownerB, guild.id);
		const { value: updatedB } = await until(
			async () => fake.message(dmB!.id)!,
			(message) => buttons(message).every((button) => button.disabled),
			3_000
		);
		expect(textOf(updatedB)).toMatch(/Approved by/);
		const list = await inGuild(stack(), world.member, guild, 'poll list');
		expect(list.content + JSON.stringify(list.embeds)).not.toMatch(/waiting for approval/);
		expectCleanProtocol(fake);
	});

	test('WHEN an owner revokes it THEN members are blocked again within 1 s, buttons and autocomplete included', async () => {
		const { fake } = stack();
		const poll = await fake
			.slash({ user: world.member, guildId: guild.id, command: 'poll create', options: { question: 'Tea?', options: 'Yes | No' } })
			.waitForOriginal();
		const revoked = await admin(stack(), world.ownerA, 'revoke', { server: guild.id });
		expect(revoked.content).toMatch(/approved → \*\*pending\*\*/);
		const { value, ms } = await until(
			() => inGuild(stack(), world.member, guild, 'poll list'),
			(answer) => /waiting for approval/.test(answer.content),
			2_000
		);
		expect(value.content).toMatch(/waiting for approval/);
		expect(ms).toBeLessThan(1_000);

		const voteButton = buttons(poll).find((button) => button.custom_id?.includes(':'))!;
		const vote = await fake.click({ user: world.member, message: fake.message(poll.id)!, customId: voteButton.custom_id! }).waitForOriginal();
		expect(vote.content).toMatch(/waiting for approval/);
		expect(isEphemeral(vote)).toBe(true);

		const suggestions = await choicesOf(
			fake.autocomplete({
				user: world.member,
				guildId: guild.id,
				command: 'poll close',
				options: { poll: '' },
				focused: 'poll'
			})
		);
		expect(JSON.stringify(suggestions)).not.toContain('Tea?');
		expectCleanProtocol(fake);
	});

	test('WHEN an owner denies it THEN the bot leaves, and leaves again when re-invited', async () => {
		const { fake } = stack();
		const denied = await admin(stack(), world.ownerB, 'deny', { server: guild.id, reason: 'Spam server' });
		expect(denied.content).toMatch(/\*\*denied\*\*/);
		await until(
			async () => fake.isBotInGuild(guild.id),
			(inGuildNow) => !inGuildNow,
			5_000
		);
		expect(fake.isBotInGuild(guild.id)).toBe(false);
		const [dmA] = approvalDms(fake, world.ownerA, guild.id);
		expect(textOf(fake.message(dmA!.id)!)).toMatch(/Denied by/);

		fake.addBotToGuild(guild.id);
		const { value: stillIn } = await until(
			async () => fake.isBotInGuild(guild.id),
			(inGuildNow) => !inGuildNow,
			5_000
		);
		expect(stillIn).toBe(false);
		expect(await guildStatus(stack(), guild.id)).toBe('denied');
		expectCleanProtocol(fake);
	});

	test('WHEN a denied server is approved again THEN the audit history keeps every decision in order', async () => {
		const approved = await admin(stack(), world.ownerA, 'approve', { server: guild.id });
		expect(approved.content).toMatch(/denied → \*\*approved\*\*/);
		const sql = postgres(stack().database.url, { max: 1, onnotice: () => {} });
		try {
			const history = await sql<{ from: string | null; to: string; reason: string | null; by: string }[]>`
				select from_status::text as from, to_status::text as to, reason, decided_by::text as by
				from guild_decisions where guild_id = ${guild.id} order by decision_id`;
			expect(history.map((entry) => [entry.from, entry.to, entry.reason])).toEqual([
				['pending', 'approved', null],
				['approved', 'pending', null],
				['pending', 'denied', 'Spam server'],
				['denied', 'approved', null]
			]);
			expect(history.map((entry) => entry.by)).toEqual([ownerA, ownerA, ownerB, ownerA]);
		} finally {
			await sql.end();
		}
	});

	test('WHEN a non-owner runs /admin THEN it is refused ephemerally and the attempt is logged', async () => {
		const { fake } = stack();
		const answer = await admin(stack(), world.member, 'pending');
		expect(answer.content).toMatch(/Only the bot’s owner/);
		expect(isEphemeral(answer)).toBe(true);
		expect(stack().bot.output()).toContain(`Refused an owner-only command to user ${world.member.id}`);
		const suggestions = await choicesOf(
			fake.autocomplete({ user: world.member, command: 'admin approve', options: { server: '' }, focused: 'server' })
		);
		expect(suggestions).toEqual([]);
		expectCleanProtocol(fake);
	});

	test('WHEN an owner gives a malformed or unknown server id THEN each gets a clear ephemeral error', async () => {
		const { fake } = stack();
		const malformed = await admin(stack(), world.ownerA, 'approve', { server: 'abc' });
		expect(malformed.content).toMatch(/“abc” is not a server id/);
		expect(isEphemeral(malformed)).toBe(true);
		const unknown = await admin(stack(), world.ownerA, 'deny', { server: '123456789012345678' });
		expect(unknown.content).toMatch(/no record of a server with id 123456789012345678/);
		const unchanged = await admin(stack(), world.ownerA, 'approve', { server: guild.id });
		expect(unchanged.content).toMatch(/already approved/);
		const forbidden = await admin(stack(), world.ownerA, 'revoke', { server: world.offlineGuild.id });
		expect(forbidden.content).toMatch(/already pending/);
		expectCleanProtocol(fake);
	});

	test('WHEN an owner asks for suggestions THEN known servers are offered by name', async () => {
		const { fake } = stack();
		const suggestions = await choicesOf(
			fake.autocomplete({ user: world.ownerA, command: 'admin approve', options: { server: 'offline' }, focused: 'server' })
		);
		expect(suggestions).toEqual([{ name: 'Joined While Offline (pending)', value: world.offlineGuild.id }]);
	});

	test('WHEN there are more pending servers than a page holds THEN /admin pending pages through them with buttons', async () => {
		const { fake } = stack();
		const extra = Array.from({ length: 11 }, (_, index) => fake.createGuild({ name: `Queue ${index}` }));
		await until(
			async () => extra.filter((queued) => approvalDms(fake, world.ownerA, queued.id).length === 1).length,
			(announced) => announced === extra.length,
			10_000
		);
		const first = await admin(stack(), world.ownerA, 'pending');
		expect(textOf(first)).toContain('Servers pending (12)');
		expect(textOf(first)).toContain('Page 1 of 2');
		const next = buttons(first).find((button) => button.label === 'Next')!;
		const paged = fake.click({ user: world.ownerA, message: first, customId: next.custom_id! });
		expect(((await paged.response) as { type: number }).type).toBe(7);
		const second = fake.message(first.id)!;
		expect(textOf(second)).toContain('Page 2 of 2');
		expect(buttons(second).find((button) => button.label === 'Next')!.disabled).toBe(true);
		expectCleanProtocol(fake);
	});

	test('WHEN an owner lists approved servers, asks for stats and makes the bot leave THEN each answers', async () => {
		const { fake } = stack();
		const approved = await admin(stack(), world.ownerA, 'servers', { status: 'approved' });
		expect(textOf(approved)).toContain('Servers approved (1)');
		expect(textOf(approved)).toContain(guild.id);
		const stats = await admin(stack(), world.ownerA, 'stats');
		expect(textOf(stats)).toMatch(/1 approved · 12 pending · 0 denied/);
		expect(textOf(stats)).toMatch(/Polls\*\*: 1 open · 1 total · 0 votes/);
		expect(textOf(stats)).toMatch(/Shards in this process\*\*: shard 0 of 1/);
		const left = await admin(stack(), world.ownerA, 'leave', { server: world.offlineGuild.id });
		expect(left.content).toMatch(/Left \*\*Joined While Offline\*\*/);
		await until(
			async () => fake.isBotInGuild(world.offlineGuild.id),
			(inGuildNow) => !inGuildNow,
			5_000
		);
		expect(fake.isBotInGuild(world.offlineGuild.id)).toBe(false);
		expect(await guildStatus(stack(), world.offlineGuild.id)).toBe('pending');
		expectCleanProtocol(fake);
	});

	test('WHEN the bot restarts THEN servers it already knows are not announced again, and one joined meanwhile is, once', async () => {
		const { fake, bot } = stack();
		await bot.stop('SIGTERM');
		const meanwhile = fake.createGuild({ name: 'Joined During Downtime' });
		await bot.start();
		await waitForApprovalDm(fake, world.ownerA, meanwhile.id);
		await bot.restart();
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(approvalDms(fake, world.ownerA, meanwhile.id)).toHaveLength(1);
		expect(approvalDms(fake, world.ownerA, guild.id)).toHaveLength(1);
		expectCleanProtocol(fake);
	});
});

describe('GIVEN the bot whose database goes away while it runs', () => {
	const adminUrl = new URL(inject('postgresAdminUrl'));
	let proxy: TcpProxy;
	const owner = '200000000000000003';
	let outageGuild: FakeGuild;
	let member: FakeUser;
	const stack = useStack({
		env: { OWNER_ID: owner },
		setup: async (fake) => {
			proxy = await TcpProxy.start({ host: adminUrl.hostname, port: Number(adminUrl.port) });
			member = fake.createUser({ username: 'member' });
			outageGuild = fake.createGuild({ name: 'Outage' });
		},
		databaseUrl: (url) => proxy.rewrite(url)
	});
	afterAll(() => proxy?.close());

	test('WHEN a member runs a command during the outage THEN gets "temporarily unavailable" within 3 s, and all works once it is back', async () => {
		const { fake, database } = stack();
		const sql = postgres(database.url, { max: 1, onnotice: () => {} });
		await sql`update guilds set status = 'approved' where guild_id = ${outageGuild.id}`;
		await sql.end();
		await new Promise((resolve) => setTimeout(resolve, 1_000));

		await proxy.cut();
		const during = fake.slash({ user: member, guildId: outageGuild.id, command: 'poll list' });
		const answer = await during.waitForOriginal();
		expect(answer.content).toMatch(/temporarily unavailable/);
		expect(isEphemeral(answer)).toBe(true);
		expect(during.callbackMs).toBeLessThan(3_000);
		const ping = await fake.slash({ user: member, guildId: outageGuild.id, command: 'ping' }).waitForOriginal();
		expect(ping.content).toMatch(/Database: unavailable/);

		await proxy.restore();
		const { value: after } = await until(
			() => fake.slash({ user: member, guildId: outageGuild.id, command: 'poll list' }).waitForOriginal(),
			(message) => !/temporarily unavailable/.test(message.content),
			15_000
		);
		expect(after.content + JSON.stringify(after.embeds)).not.toMatch(/temporarily unavailable|waiting for approval/);
		expectCleanProtocol(fake);
	});
});
