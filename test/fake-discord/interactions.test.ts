import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FakeDiscord } from './fake-discord.js';
import type { InteractionHandle } from './interactions.js';
import { RawGatewayClient, rawRequest, type GatewayPayload } from './raw-client.js';
import type { FakeGuild, FakeUser } from './world.js';

const pollCommand = {
	name: 'poll',
	description: 'Polls',
	options: [
		{
			type: 1,
			name: 'create',
			description: 'Create a poll',
			options: [
				{ type: 3, name: 'question', description: 'Question', required: true, max_length: 200 },
				{ type: 4, name: 'max_choices', description: 'How many', min_value: 1, max_value: 5 },
				{ type: 6, name: 'notify', description: 'Someone' },
				{ type: 3, name: 'topic', description: 'Topic', autocomplete: true }
			]
		},
		{
			type: 2,
			name: 'admin',
			description: 'Admin',
			options: [{ type: 1, name: 'close', description: 'Close', options: [{ type: 4, name: 'id', description: 'Poll id', required: true }] }]
		}
	]
};

describe('fake interactions', () => {
	let fake: FakeDiscord;
	let bot: RawGatewayClient;
	let guild: FakeGuild;
	let alice: FakeUser;
	const callback = (payload: GatewayPayload, body: unknown, query = '') =>
		rawRequest(fake.restBase, 'POST', `/interactions/${payload.d.id}/${payload.d.token}/callback${query}`, { body, auth: false });
	const webhook = (payload: GatewayPayload, method: string, suffix: string, body?: unknown) =>
		rawRequest(fake.restBase, method, `/webhooks/${fake.applicationId}/${payload.d.token}${suffix}`, { body, auth: false });
	const nextInteraction = () => bot.next((payload) => payload.t === 'INTERACTION_CREATE');

	beforeEach(async () => {
		fake = await FakeDiscord.start();
		guild = fake.createGuild({ name: 'Polls Inc' });
		alice = fake.createUser({ username: 'alice' });
		await rawRequest(fake.restBase, 'PUT', `/applications/${fake.applicationId}/commands`, {
			body: [pollCommand, { name: 'ping', description: 'Ping' }]
		});
		bot = await RawGatewayClient.connect(fake.gatewayUrl);
		await bot.identify();
	});
	afterEach(async () => {
		bot.close();
		await fake.close();
	});

	test('GIVEN an interaction not acknowledged yet THEN reading its response is a plain 404 10015, writing through its token a violation', async () => {
		const dispatched = nextInteraction();
		fake.slash({ user: alice, guildId: guild.id, command: 'ping' });
		const payload = await dispatched;
		const read = await webhook(payload, 'GET', '/messages/@original');
		expect([read.status, read.body.code]).toEqual([404, 10015]);
		expect(fake.violations).toEqual([]);
		const write = await webhook(payload, 'PATCH', '/messages/@original', { content: 'too early' });
		expect([write.status, write.body.code]).toEqual([404, 10015]);
		expect(fake.violations).toEqual([expect.objectContaining({ code: 10015 })]);
	});

	test('GIVEN a command with default_member_permissions "0" THEN only administrators may run it in a server, as on Discord', async () => {
		await rawRequest(fake.restBase, 'POST', `/applications/${fake.applicationId}/commands`, {
			body: { name: 'owner', description: 'Owner tools', default_member_permissions: '0', contexts: [0, 1] }
		});
		const member = fake.createUser({ username: 'member' });
		fake.addMember(guild.id, member.id);
		const admin = fake.createUser({ username: 'admin' });
		fake.addMember(guild.id, admin.id, { permissions: 8n });
		expect(() => fake.slash({ user: member, guildId: guild.id, command: 'owner' })).toThrow(/default_member_permissions 0/);
		const dispatched = nextInteraction();
		fake.slash({ user: admin, guildId: guild.id, command: 'owner' });
		expect((await dispatched).d.data.name).toBe('owner');
	});

	test('GIVEN a registered subcommand WHEN a member runs it THEN the payload nests options and resolves users, as Discord does', async () => {
		const bob = fake.createUser({ username: 'bob' });
		fake.addMember(guild.id, bob.id);
		const dispatched = nextInteraction();
		fake.slash({ user: alice, guildId: guild.id, command: 'poll create', options: { max_choices: 2, question: 'Tea?', notify: bob.id } });
		const { d } = await dispatched;
		expect(d).toMatchObject({
			type: 2,
			application_id: fake.applicationId,
			guild_id: guild.id,
			channel_id: guild.defaultChannelId,
			channel: { id: guild.defaultChannelId, type: 0 },
			guild: { id: guild.id, locale: 'en-US' },
			member: { user: { id: alice.id }, permissions: expect.stringMatching(/^\d+$/) },
			app_permissions: expect.stringMatching(/^\d+$/),
			entitlements: [],
			context: 0,
			authorizing_integration_owners: { '0': guild.id },
			data: {
				name: 'poll',
				type: 1,
				options: [
					{
						type: 1,
						name: 'create',
						options: [
							{ name: 'question', type: 3, value: 'Tea?' },
							{ name: 'max_choices', type: 4, value: 2 },
							{ name: 'notify', type: 6, value: bob.id }
						]
					}
				],
				resolved: { users: { [bob.id]: { id: bob.id } }, members: { [bob.id]: { roles: [] } } }
			}
		});
		expect(d.user).toBeUndefined();
	});

	test('GIVEN a subcommand group THEN options nest group → subcommand → leaf', async () => {
		const dispatched = nextInteraction();
		fake.slash({ user: alice, guildId: guild.id, command: 'poll admin close', options: { id: 7 } });
		expect((await dispatched).d.data.options).toEqual([
			{ type: 2, name: 'admin', options: [{ type: 1, name: 'close', options: [{ type: 4, name: 'id', value: 7 }] }] }
		]);
	});

	test.each([
		['an unknown command', { command: 'nope' }, /no chat input command "nope"/],
		['a missing subcommand', { command: 'poll' }, /requires a subcommand/],
		['an unknown option', { command: 'poll create', options: { question: 'q', colour: 'red' } }, /no option "colour"/],
		['a wrong option type', { command: 'poll create', options: { question: 'q', max_choices: '2' } }, /expected an integer/],
		['a value above max_value', { command: 'poll create', options: { question: 'q', max_choices: 9 } }, /above max_value/],
		['a missing required option', { command: 'poll create', options: {} }, /required option\(s\) missing: question/]
	])('GIVEN %s THEN slash() throws in the test', (_name, input, message) => {
		expect(() => fake.slash({ user: alice, guildId: guild.id, ...input } as Parameters<FakeDiscord['slash']>[0])).toThrow(message);
	});

	test('GIVEN a DM WHEN /ping runs THEN the payload has user, a type 1 channel and context 1', async () => {
		const dispatched = nextInteraction();
		fake.slash({ user: alice, command: 'ping' });
		const { d } = await dispatched;
		expect(d).toMatchObject({ user: { id: alice.id }, channel: { type: 1 }, context: 1 });
		expect(d.member).toBeUndefined();
		expect(d.guild_id).toBeUndefined();
	});

	test('GIVEN an answered interaction WHEN the bot answers again THEN 40060 and a violation; the handle has the reply', async () => {
		const dispatched = nextInteraction();
		const handle = fake.slash({ user: alice, guildId: guild.id, command: 'ping' });
		const payload = await dispatched;
		expect((await callback(payload, { type: 4, data: { content: 'Pong', flags: 64 } }, '?with_response=false')).status).toBe(204);
		await expect(handle.response).resolves.toEqual({ type: 4, data: { content: 'Pong', flags: 64 } });
		expect(handle.callbackMs).toBeGreaterThan(0);
		expect(await handle.waitForOriginal()).toMatchObject({
			content: 'Pong',
			flags: 64,
			type: 20,
			interaction_metadata: { id: handle.id, user: { id: alice.id } }
		});

		const second = await callback(payload, { type: 4, data: { content: 'again' } });
		expect(second).toMatchObject({ status: 400, body: { code: 40060 } });
		expect(fake.violations).toEqual([expect.objectContaining({ code: 40060 })]);
	});

	test('GIVEN 3 s have passed WHEN the bot answers THEN 10062 Unknown interaction, a violation, and the handle rejects', async () => {
		const dispatched = nextInteraction();
		const handle = fake.slash({ user: alice, guildId: guild.id, command: 'ping' });
		const payload = await dispatched;
		fake.clock.advance(3_100);
		expect(await callback(payload, { type: 4, data: { content: 'late' } })).toMatchObject({
			status: 404,
			body: { code: 10062, message: 'Unknown interaction' }
		});
		await expect(handle.response).rejects.toThrow(/10062/);
		expect(fake.violations).toEqual([
			expect.objectContaining({ code: 10062, reason: expect.stringMatching(/first delivered \d+ ms after the dispatch/) })
		]);
	});

	test('GIVEN a deferred reply WHEN @original is edited (URL-encoded) and a follow-up sent THEN both are stored, with_response describes the loading message', async () => {
		const dispatched = nextInteraction();
		const handle = fake.slash({ user: alice, guildId: guild.id, command: 'ping' });
		const payload = await dispatched;
		const deferred = await callback(payload, { type: 5 }, '?with_response=true');
		expect(deferred.body).toMatchObject({
			interaction: { id: handle.id, type: 2, response_message_loading: true, response_message_ephemeral: false },
			resource: { type: 5, message: { flags: 128 } }
		});
		const original = handle.waitForOriginal();
		expect((await webhook(payload, 'PATCH', '/messages/%40original', { content: 'Done' })).status).toBe(200);
		expect(await original).toMatchObject({ content: 'Done', flags: 0, editCount: 0 });
		const followUp = await webhook(payload, 'POST', '?wait=true', { content: 'More', flags: 64 });
		expect(followUp.body).toMatchObject({ content: 'More', flags: 64 });
		expect(handle.followUps.map((message) => message.content)).toEqual(['More']);
		expect(fake.violations).toEqual([]);
	});

	test('GIVEN an interaction older than 15 minutes WHEN its token edits THEN 401 Invalid Webhook Token and a violation', async () => {
		const dispatched = nextInteraction();
		fake.slash({ user: alice, guildId: guild.id, command: 'ping' });
		const payload = await dispatched;
		await callback(payload, { type: 5 });
		fake.clock.advance(15 * 60_000 + 1);
		expect(await webhook(payload, 'PATCH', '/messages/@original', { content: 'too late' })).toMatchObject({ status: 401, body: { code: 50027 } });
		expect(fake.violations).toHaveLength(1);
	});

	describe('components', () => {
		const replyWithComponents = async (): Promise<{
			handle: InteractionHandle;
			message: Awaited<ReturnType<InteractionHandle['waitForOriginal']>>;
		}> => {
			const dispatched = nextInteraction();
			const handle = fake.slash({ user: alice, guildId: guild.id, command: 'ping' });
			await callback(await dispatched, {
				type: 4,
				data: {
					content: 'Vote',
					components: [
						{
							type: 1,
							components: [
								{ type: 2, style: 1, custom_id: 'vote:a', label: 'A' },
								{ type: 2, style: 2, custom_id: 'vote:off', label: 'Off', disabled: true }
							]
						},
						{
							type: 1,
							components: [
								{
									type: 3,
									custom_id: 'pick',
									min_values: 1,
									max_values: 2,
									options: [
										{ label: 'x', value: 'x' },
										{ label: 'y', value: 'y' },
										{ label: 'z', value: 'z' }
									]
								}
							]
						}
					]
				}
			});
			return { handle, message: await handle.waitForOriginal() };
		};

		test('GIVEN a message with a button WHEN clicked THEN type 3 with the full message, and type 7 updates it', async () => {
			const { message } = await replyWithComponents();
			const dispatched = nextInteraction();
			const click = fake.click({ user: alice, message, customId: 'vote:a' });
			const payload = await dispatched;
			expect(payload.d).toMatchObject({
				type: 3,
				data: { custom_id: 'vote:a', component_type: 2 },
				message: { id: message.id, content: 'Vote', components: message.components },
				member: { user: { id: alice.id } }
			});
			expect(payload.d.message.wouldPing).toBeUndefined();
			await callback(payload, { type: 7, data: { content: 'Voted' } });
			expect(await click.waitForOriginal()).toMatchObject({ id: message.id, content: 'Voted', editCount: 1 });
		});

		test('GIVEN a deferred update WHEN the bot edits @original THEN the clicked message changes and the handle sees it', async () => {
			const { message } = await replyWithComponents();
			const dispatched = nextInteraction();
			const click = fake.click({ user: alice, message, customId: 'vote:a' });
			const payload = await dispatched;
			await callback(payload, { type: 6 });
			const original = click.waitForOriginal();
			await webhook(payload, 'PATCH', '/messages/%40original', { content: 'Vote (1)' });
			expect(await original).toMatchObject({ id: message.id, content: 'Vote (1)' });
			expect(fake.violations).toEqual([]);
		});

		test('GIVEN a disabled button or an unknown custom id THEN click() throws', async () => {
			const { message } = await replyWithComponents();
			expect(() => fake.click({ user: alice, message, customId: 'vote:off' })).toThrow(/disabled/);
			expect(() => fake.click({ user: alice, message, customId: 'missing' })).toThrow(/no component/);
		});

		test('GIVEN a select WHEN values are chosen THEN they are validated against the menu', async () => {
			const { message } = await replyWithComponents();
			expect(() => fake.select({ user: alice, message, customId: 'pick', values: ['x', 'y', 'z'] })).toThrow(/allows 1..2/);
			expect(() => fake.select({ user: alice, message, customId: 'pick', values: ['w'] })).toThrow(/not options/);
			const dispatched = nextInteraction();
			fake.select({ user: alice, message, customId: 'pick', values: ['x', 'z'] });
			expect((await dispatched).d.data).toMatchObject({ custom_id: 'pick', component_type: 3, values: ['x', 'z'] });
		});
	});

	test('GIVEN the bot answers with a modal WHEN the user submits it THEN type 5 carries the values', async () => {
		const dispatched = nextInteraction();
		const handle = fake.slash({ user: alice, guildId: guild.id, command: 'ping' });
		await callback(await dispatched, {
			type: 9,
			data: {
				custom_id: 'ask',
				title: 'Ask',
				components: [{ type: 1, components: [{ type: 4, custom_id: 'question', label: 'Question', style: 1 }] }]
			}
		});
		await handle.response;
		const submitted = nextInteraction();
		fake.modalSubmit({ from: handle, values: { question: 'Why?' } });
		expect((await submitted).d).toMatchObject({
			type: 5,
			data: { custom_id: 'ask', components: [{ type: 1, components: [{ type: 4, custom_id: 'question', value: 'Why?' }] }] }
		});
	});

	test('GIVEN an autocomplete option WHEN the user types THEN type 4 marks it focused and choices come back', async () => {
		const dispatched = nextInteraction();
		const handle = fake.autocomplete({ user: alice, guildId: guild.id, command: 'poll create', options: { topic: 'te' }, focused: 'topic' });
		const payload = await dispatched;
		expect(payload.d.data.options[0].options).toEqual([{ type: 3, name: 'topic', value: 'te', focused: true }]);
		await callback(payload, { type: 8, data: { choices: [{ name: 'tea', value: 'tea' }] } });
		await expect(handle.response).resolves.toEqual({ type: 8, data: { choices: [{ name: 'tea', value: 'tea' }] } });
	});

	test('GIVEN an autocomplete interaction WHEN the bot answers with a message THEN Discord refuses it', async () => {
		const dispatched = nextInteraction();
		const handle = fake.autocomplete({ user: alice, guildId: guild.id, command: 'poll create', focused: 'topic' });
		expect((await callback(await dispatched, { type: 4, data: { content: 'no' } })).status).toBe(400);
		await expect(handle.response).rejects.toThrow(/refused/);
	});
});
