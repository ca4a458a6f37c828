import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FakeDiscord } from './fake-discord.js';
import { rawRequest } from './raw-client.js';
import { Route } from './routes.js';
import type { FakeGuild } from './world.js';

const row = (...customIds: string[]) => ({ type: 1, components: customIds.map((id) => ({ type: 2, style: 1, label: id, custom_id: id })) });

describe('fake REST', () => {
	let fake: FakeDiscord;
	let guild: FakeGuild;
	const post = (path: string, body: unknown, auth = true) => rawRequest(fake.restBase, 'POST', path, { body, auth });

	beforeEach(async () => {
		fake = await FakeDiscord.start();
		guild = fake.createGuild({ name: 'Test Guild' });
	});
	afterEach(async () => {
		await fake.close();
	});

	test('GIVEN no Authorization header WHEN calling an authenticated route THEN 401 and a recorded violation', async () => {
		const response = await rawRequest(fake.restBase, 'GET', '/users/@me', { auth: false });
		expect(response.status).toBe(401);
		expect(response.body).toEqual({ message: '401: Unauthorized', code: 0 });
		expect(fake.violations).toHaveLength(1);
	});

	test('GIVEN the global limit at 5/s WHEN 8 authenticated requests go at once THEN 3 get a global 429, and a second later all pass again', async () => {
		fake.setGlobalRateLimit(5);
		const statuses = await Promise.all(Array.from({ length: 8 }, () => rawRequest(fake.restBase, 'GET', '/users/@me').then((r) => r.status)));
		expect(statuses.filter((status) => status === 200)).toHaveLength(5);
		expect(statuses.filter((status) => status === 429)).toHaveLength(3);
		expect(fake.globalLimitHits).toBe(3);
		const refused = await rawRequest(fake.restBase, 'GET', '/users/@me');
		expect(refused.body).toMatchObject({ global: true });
		await new Promise((resolve) => setTimeout(resolve, 1_050));
		expect((await rawRequest(fake.restBase, 'GET', '/users/@me')).status).toBe(200);
		fake.setGlobalRateLimit(null);
	});

	test('GIVEN enforce_nonce WHEN the same nonce is posted twice in a channel THEN the second answer is the first message, and no second is made', async () => {
		const body = { content: 'Poll #1 is closed.', nonce: 'close-1', enforce_nonce: true };
		const first = await post(`/channels/${guild.defaultChannelId}/messages`, body);
		const second = await post(`/channels/${guild.defaultChannelId}/messages`, body);
		expect(second.status).toBe(200);
		expect((second.body as { id: string }).id).toBe((first.body as { id: string }).id);
		const without = await post(`/channels/${guild.defaultChannelId}/messages`, { content: 'Poll #1 is closed.', nonce: 'close-1' });
		expect((without.body as { id: string }).id).not.toBe((first.body as { id: string }).id);
	});

	test('GIVEN an unknown route THEN 404 "404: Not Found" and it is recorded', async () => {
		const response = await rawRequest(fake.restBase, 'GET', '/guilds/1/audit-logs-that-do-not-exist');
		expect(response).toMatchObject({ status: 404, body: { message: '404: Not Found', code: 0 } });
		expect(fake.unknownRoutes).toEqual([expect.objectContaining({ method: 'GET', path: '/api/v10/guilds/1/audit-logs-that-do-not-exist' })]);
	});

	test('GIVEN a valid message WHEN posted THEN it is stored with allowed_mentions, pings computed, and rate-limit headers answered', async () => {
		const role = fake.createRole(guild.id, { name: 'Voters' });
		const response = await post(`/channels/${guild.defaultChannelId}/messages`, {
			content: `@everyone <@${fake.botUser.id}> <@&${role.id}> vote!`,
			allowed_mentions: { parse: [], roles: [role.id] },
			components: [row('a', 'b')]
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('x-ratelimit-limit')).toBe('50');
		expect(response.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]+$/);
		const [message] = fake.messages(guild.defaultChannelId);
		expect(message).toMatchObject({
			id: response.body.id,
			allowed_mentions: { parse: [], roles: [role.id] },
			wouldPing: { everyone: false, users: [], roles: [role.id] }
		});
		expect(message!.components).toEqual([
			{ type: 1, id: 1, components: [expect.objectContaining({ custom_id: 'a', id: 2 }), expect.objectContaining({ custom_id: 'b', id: 3 })] }
		]);
		expect(fake.violations).toEqual([]);
	});

	test('GIVEN no allowed_mentions WHEN content mentions everyone THEN the fake says it would ping everyone', async () => {
		await post(`/channels/${guild.defaultChannelId}/messages`, { content: 'hello @here' });
		expect(fake.messages(guild.defaultChannelId)[0]!.wouldPing.everyone).toBe(true);
	});

	test.each([
		['a sixth action row', { components: ['1', '2', '3', '4', '5', '6'].map((id) => row(id)) }, 'components'],
		['a duplicate custom_id', { components: [row('same'), row('same')] }, 'components.1.components.0.custom_id'],
		['2001 characters of content', { content: 'x'.repeat(2001) }, 'content'],
		['six buttons in a row', { components: [row('1', '2', '3', '4', '5', '6')] }, 'components.0.components'],
		[
			'a button without custom_id',
			{ components: [{ type: 1, components: [{ type: 2, style: 1, label: 'x' }] }] },
			'components.0.components.0.custom_id'
		],
		[
			'a select with max_values above its options',
			{
				components: [
					{
						type: 1,
						components: [
							{
								type: 3,
								custom_id: 's',
								max_values: 3,
								options: [
									{ label: 'a', value: 'a' },
									{ label: 'b', value: 'b' }
								]
							}
						]
					}
				]
			},
			'components.0.components.0.max_values'
		],
		[
			'a select beside a button',
			{
				components: [
					{
						type: 1,
						components: [
							{ type: 3, custom_id: 's', options: [{ label: 'a', value: 'a' }] },
							{ type: 2, style: 1, custom_id: 'b', label: 'b' }
						]
					}
				]
			},
			'components.0.components'
		],
		['embeds over 6000 characters', { embeds: [{ title: 't', description: 'd'.repeat(4096) }, { description: 'd'.repeat(2000) }] }, 'embeds'],
		['an empty message', {}, null]
	])('GIVEN %s WHEN posted THEN 400 and a violation', async (_name, body, errorPath) => {
		const response = await post(`/channels/${guild.defaultChannelId}/messages`, body);
		expect(response.status).toBe(400);
		if (errorPath) {
			expect(response.body).toMatchObject({ code: 50035, message: 'Invalid Form Body' });
			// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walks Discord's nested error object by path
			const node = errorPath.split('.').reduce((current: any, key) => current?.[key], response.body.errors);
			expect(node?._errors?.length).toBeGreaterThan(0);
		}
		expect(fake.violations).toHaveLength(1);
		expect(fake.violations[0]).toMatchObject({ route: '/channels/:channelId/messages', body });
		expect(fake.messages(guild.defaultChannelId)).toEqual([]);
	});

	test('GIVEN an injected 429 WHEN the route is called THEN Retry-After and a Discord rate-limit body, then success', async () => {
		fake.rateLimitNext(Route.createMessage, 1, 1.5);
		const limited = await post(`/channels/${guild.defaultChannelId}/messages`, { content: 'hi' });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('2');
		expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
		expect(limited.headers.get('x-ratelimit-reset-after')).toBe('1.500');
		expect(limited.body).toEqual({ message: 'You are being rate limited.', retry_after: 1.5, global: false });
		expect((await post(`/channels/${guild.defaultChannelId}/messages`, { content: 'hi' })).status).toBe(200);
		expect(fake.pendingFaults()).toBe(0);
		expect(fake.violations).toEqual([]);
	});

	test('GIVEN an injected 502 THEN the next matching request fails once', async () => {
		fake.failNext(/^GET \/users\/@me$/, 1, 502);
		expect((await rawRequest(fake.restBase, 'GET', '/users/@me')).status).toBe(502);
		expect((await rawRequest(fake.restBase, 'GET', '/users/@me')).status).toBe(200);
	});

	test('GIVEN a held edit WHEN a later edit of the same message lands first THEN the held one, released, is applied last', async () => {
		const posted = await post(`/channels/${guild.defaultChannelId}/messages`, { content: 'first' });
		const path = `/channels/${guild.defaultChannelId}/messages/${posted.body.id}`;
		const hold = fake.holdNext(Route.editMessage);
		const older = rawRequest(fake.restBase, 'PATCH', path, { body: { content: 'older' } });
		await hold.arrived;
		expect((await rawRequest(fake.restBase, 'PATCH', path, { body: { content: 'newer' } })).status).toBe(200);
		expect(fake.messages(guild.defaultChannelId)[0]!.content).toBe('newer');
		hold.release();
		expect((await older).status).toBe(200);
		expect(fake.messages(guild.defaultChannelId)[0]!.content).toBe('older');
	});

	test('GIVEN a multipart message with a CSV WHEN posted THEN the attachment content is readable', async () => {
		const form = new FormData();
		form.append('payload_json', JSON.stringify({ content: 'results', attachments: [{ id: '0', filename: 'votes.csv' }] }));
		form.append('files[0]', new Blob(['option,votes\nA,3\n'], { type: 'text/csv' }), 'votes.csv');
		const response = await rawRequest(fake.restBase, 'POST', `/channels/${guild.defaultChannelId}/messages`, { form });
		expect(response.status).toBe(200);
		expect(response.body.attachments[0]).toMatchObject({ filename: 'votes.csv', size: 17 });
		expect(response.body.attachments[0].text).toBeUndefined();
		expect(fake.messages(guild.defaultChannelId)[0]!.attachments[0]!.text).toBe('option,votes\nA,3\n');
	});

	test('GIVEN a DM channel request THEN a type 1 channel with the recipient, and messages land in fake.dms', async () => {
		const user = fake.createUser({ username: 'alice' });
		const channel = await post('/users/@me/channels', { recipient_id: user.id });
		expect(channel.body).toMatchObject({ type: 1, recipients: [{ id: user.id }] });
		await post(`/channels/${channel.body.id}/messages`, { content: 'hi alice' });
		expect(fake.dms(user.id).map((message) => message.content)).toEqual(['hi alice']);
	});

	describe('application commands', () => {
		const ping = { name: 'ping', description: 'Pong', type: 1, dm_permission: true, default_member_permissions: null };
		const base = () => `/applications/${fake.applicationId}/commands`;

		test('GIVEN a new command WHEN created THEN Discord-like defaults are echoed and the list returns it', async () => {
			const created = await post(base(), ping);
			expect(created.status).toBe(201);
			expect(created.body).toMatchObject({
				...ping,
				id: expect.stringMatching(/^\d{17,19}$/),
				application_id: fake.applicationId,
				version: expect.any(String),
				integration_types: [0],
				contexts: null,
				nsfw: false
			});
			const list = await rawRequest(fake.restBase, 'GET', `${base()}?with_localizations=true`);
			expect(list.body).toEqual([created.body]);
			await expect(fake.waitForCommands(['ping'], 100)).resolves.toHaveLength(1);
		});

		test('GIVEN commands WHEN bulk overwritten THEN ids of kept commands survive and others go', async () => {
			const first = (await rawRequest(fake.restBase, 'PUT', base(), { body: [ping, { name: 'help', description: 'Help' }] })).body;
			const second = (await rawRequest(fake.restBase, 'PUT', base(), { body: [ping] })).body;
			expect(second).toHaveLength(1);
			expect(second[0].id).toBe(first[0].id);
		});

		test('GIVEN guild commands THEN they are scoped to the guild', async () => {
			await post(`/applications/${fake.applicationId}/guilds/${guild.id}/commands`, ping);
			expect(fake.commands).toEqual([expect.objectContaining({ name: 'ping', guild_id: guild.id })]);
			expect((await rawRequest(fake.restBase, 'GET', base())).body).toEqual([]);
		});

		test.each([
			['an uppercase name', { name: 'Ping', description: 'x' }],
			['an empty description', { name: 'ping', description: '' }],
			[
				'a required option after an optional one',
				{
					name: 'poll',
					description: 'x',
					options: [
						{ type: 3, name: 'a', description: 'a' },
						{ type: 3, name: 'b', description: 'b', required: true }
					]
				}
			],
			[
				'26 choices',
				{
					name: 'pick',
					description: 'x',
					options: [
						{
							type: 3,
							name: 'a',
							description: 'a',
							choices: Array.from({ length: 26 }, (_, index) => ({ name: `c${index}`, value: `c${index}` }))
						}
					]
				}
			]
		])('GIVEN %s THEN 400 and a violation', async (_name, body) => {
			expect((await post(base(), body)).status).toBe(400);
			expect(fake.violations).toHaveLength(1);
		});
	});
});
