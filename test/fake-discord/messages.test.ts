import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FakeDiscord } from './fake-discord.js';
import { RawGatewayClient, rawRequest } from './raw-client.js';
import type { FakeGuild, FakeRole, FakeUser } from './world.js';

/** The 8-byte PNG signature, an IHDR chunk header and bytes that are not valid UTF-8: a binary round trip. */
const PNG_BYTES = Buffer.from([
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe, 0x00, 0x80
]);

describe('fake messages: mentions and attachments', () => {
	let fake: FakeDiscord;
	let guild: FakeGuild;
	let voters: FakeRole;
	let mods: FakeRole;
	let alice: FakeUser;
	let channelId: string;
	const send = (body: unknown) => rawRequest(fake.restBase, 'POST', `/channels/${channelId}/messages`, { body });
	const edit = (messageId: string, body: unknown) => rawRequest(fake.restBase, 'PATCH', `/channels/${channelId}/messages/${messageId}`, { body });

	/** A `/ping` the bot (a raw client) deferred (type 5): its handle, and the webhook path of its token. */
	const deferred = async () => {
		await rawRequest(fake.restBase, 'POST', `/applications/${fake.applicationId}/commands`, { body: { name: 'ping', description: 'Ping' } });
		const bot = await RawGatewayClient.connect(fake.gatewayUrl);
		await bot.identify();
		const dispatched = bot.next((payload) => payload.t === 'INTERACTION_CREATE');
		const handle = fake.slash({ user: alice, guildId: guild.id, command: 'ping' });
		const { d } = await dispatched;
		await rawRequest(fake.restBase, 'POST', `/interactions/${d.id}/${d.token}/callback`, { body: { type: 5 }, auth: false });
		return { bot, handle, webhook: `/webhooks/${fake.applicationId}/${d.token}` };
	};

	beforeEach(async () => {
		fake = await FakeDiscord.start();
		guild = fake.createGuild({ name: 'Pings' });
		channelId = guild.defaultChannelId;
		voters = fake.createRole(guild.id, { name: 'Voters' });
		mods = fake.createRole(guild.id, { name: 'Mods' });
		alice = fake.createUser({ username: 'alice' });
	});
	afterEach(async () => {
		await fake.close();
	});

	describe('mentions', () => {
		test('GIVEN a role listed in allowed_mentions.roles THEN only that role is pinged, in that message only', async () => {
			await send({ content: 'A poll is open' });
			const { body } = await send({
				content: `<@&${voters.id}> <@&${mods.id}> <@${alice.id}> @everyone vote!`,
				allowed_mentions: { parse: [], roles: [voters.id] }
			});
			await send({ content: `no ping for <@&${voters.id}>`, allowed_mentions: { parse: [] } });
			expect(fake.message(body.id)!.pinged).toEqual({ everyone: false, roles: [voters.id], users: [] });
			expect(fake.messagesPinging({ roleId: voters.id }).map((message) => message.id)).toEqual([body.id]);
			expect(fake.messagesPinging({ roleId: mods.id })).toEqual([]);
			expect(fake.messagesPinging({ userId: alice.id })).toEqual([]);
			expect(body).toMatchObject({ mention_roles: [voters.id], mention_everyone: false, mentions: [] });
		});

		test('GIVEN no allowed_mentions THEN Discord parses everything: users, roles and everyone are pinged', async () => {
			const { body } = await send({ content: `<@${alice.id}> <@&${mods.id}> @here` });
			expect(fake.message(body.id)!.pinged).toEqual({ everyone: true, roles: [mods.id], users: [alice.id] });
			expect(fake.messagesPinging({ everyone: true })).toHaveLength(1);
		});

		test('GIVEN parse ["users"] THEN users are pinged and roles and everyone are not', async () => {
			const { body } = await send({ content: `<@!${alice.id}> <@&${mods.id}> @everyone`, allowed_mentions: { parse: ['users'] } });
			expect(fake.message(body.id)!.pinged).toEqual({ everyone: false, roles: [], users: [alice.id] });
		});

		test('GIVEN an edit that adds a role mention THEN the message shows it but nobody was pinged by it', async () => {
			const { body } = await send({ content: 'Results soon', allowed_mentions: { parse: [] } });
			await edit(body.id, { content: `Results for <@&${voters.id}>`, allowed_mentions: { parse: [], roles: [voters.id] } });
			const message = fake.message(body.id)!;
			expect(message.wouldPing.roles).toEqual([voters.id]);
			expect(message.pinged.roles).toEqual([]);
			expect(fake.messagesPinging({ roleId: voters.id })).toEqual([]);
		});

		test('GIVEN parse ["roles"] together with a roles list THEN 400, as the two are mutually exclusive', async () => {
			const response = await send({ content: `<@&${voters.id}>`, allowed_mentions: { parse: ['roles'], roles: [voters.id] } });
			expect(response.status).toBe(400);
			expect(response.body.errors.allowed_mentions.roles._errors).toHaveLength(1);
			expect(fake.violations).toEqual([expect.objectContaining({ code: 50035 })]);
		});

		describe('replies', () => {
			let bot: RawGatewayClient;
			beforeEach(async () => {
				bot = await RawGatewayClient.connect(fake.gatewayUrl);
				await bot.identify();
			});
			afterEach(() => bot.close());

			test('GIVEN a user message WHEN the bot replies THEN the author is pinged by default and not with allowed_mentions lacking replied_user', async () => {
				const created = bot.next((payload) => payload.t === 'MESSAGE_CREATE');
				const question = fake.postUserMessage({ user: alice, channelId, content: 'when does it close?' });
				expect((await created).d).toMatchObject({ id: question.id, author: { id: alice.id }, guild_id: guild.id, member: { roles: [] } });

				const reference = { message_id: question.id };
				const loud = await send({ content: 'Friday', message_reference: reference });
				const quiet = await send({ content: 'Friday', message_reference: reference, allowed_mentions: { parse: [] } });
				const explicit = await send({ content: 'Friday', message_reference: reference, allowed_mentions: { parse: [], replied_user: true } });
				expect(loud.body).toMatchObject({ type: 19, message_reference: { message_id: question.id } });
				expect(fake.messagesPinging({ userId: alice.id }).map((message) => message.id)).toEqual([loud.body.id, explicit.body.id]);
				expect(fake.message(quiet.body.id)!.pinged.users).toEqual([]);
			});
		});

		test('GIVEN a deferred reply WHEN it is filled with a role mention THEN that fill pings, as the message is first shown then', async () => {
			const { bot, handle, webhook } = await deferred();
			await rawRequest(fake.restBase, 'PATCH', `${webhook}/messages/@original`, {
				body: { content: `<@&${voters.id}> it is open`, allowed_mentions: { roles: [voters.id] } },
				auth: false
			});
			const original = await handle.waitForOriginal();
			expect(original.pinged.roles).toEqual([voters.id]);
			expect(fake.messagesPinging({ roleId: voters.id })).toEqual([original]);
			bot.close();
		});
	});

	describe('follow-ups of a deferred reply', () => {
		test('GIVEN a public deferral WHEN the first follow-up comes THEN it fills the deferred message, public, as Discord does', async () => {
			const { bot, handle, webhook } = await deferred();
			await rawRequest(fake.restBase, 'POST', webhook, { body: { content: 'filled', flags: 64 }, auth: false });
			const original = await handle.waitForOriginal();
			expect(original.content).toBe('filled');
			expect(original.flags & 64).toBe(0);
			expect(handle.followUps).toEqual([]);
			bot.close();
		});

		test('GIVEN a public deferral deleted WHEN a follow-up comes THEN it is a message of its own, with its own flags', async () => {
			const { bot, handle, webhook } = await deferred();
			expect((await rawRequest(fake.restBase, 'DELETE', `${webhook}/messages/@original`, { auth: false })).status).toBe(204);
			await rawRequest(fake.restBase, 'POST', webhook, { body: { content: 'only you', flags: 64 }, auth: false });
			const followUp = await handle.waitForFollowUp();
			expect(followUp).toMatchObject({ content: 'only you' });
			expect(followUp.flags & 64).toBe(64);
			expect(handle.original?.deleted).toBe(true);
			bot.close();
		});
	});

	describe('attachments', () => {
		test('GIVEN a PNG upload THEN the record gives its filename, size, content type and the exact bytes', async () => {
			const form = new FormData();
			form.append(
				'payload_json',
				JSON.stringify({ content: 'chart', attachments: [{ id: '0', filename: 'chart.png', description: 'Votes' }] })
			);
			form.append('files[0]', new Blob([PNG_BYTES], { type: 'image/png' }), 'chart.png');
			const response = await rawRequest(fake.restBase, 'POST', `/channels/${channelId}/messages`, { form });
			expect(response.status).toBe(200);
			expect(response.body.attachments[0]).toMatchObject({
				filename: 'chart.png',
				size: PNG_BYTES.length,
				content_type: 'image/png',
				description: 'Votes'
			});
			expect(response.body.attachments[0].data).toBeUndefined();
			const [attachment] = fake.message(response.body.id)!.attachments;
			expect(attachment).toMatchObject({ filename: 'chart.png', size: PNG_BYTES.length, content_type: 'image/png' });
			expect(attachment!.data.equals(PNG_BYTES)).toBe(true);
		});

		test('GIVEN an upload without a content type THEN the fake works it out from the name, as Discord fills content_type', async () => {
			const form = new FormData();
			form.append('payload_json', JSON.stringify({ content: 'export' }));
			form.append('files[0]', new Blob([PNG_BYTES]), 'chart.PNG');
			form.append('files[1]', new Blob(['a,b\n']), 'votes.csv');
			const response = await rawRequest(fake.restBase, 'POST', `/channels/${channelId}/messages`, { form });
			expect(response.body.attachments.map((attachment: { content_type: string }) => attachment.content_type)).toEqual([
				'image/png',
				'text/csv; charset=utf-8'
			]);
			expect(fake.message(response.body.id)!.attachments[1]!.text).toBe('a,b\n');
		});
	});
});
