import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FakeDiscord } from './fake-discord.js';
import { RawGatewayClient, rawRequest } from './raw-client.js';
import { shardForGuild } from './snowflake.js';

describe('fake gateway', () => {
	let fake: FakeDiscord;
	const clients: RawGatewayClient[] = [];
	const connect = async () => {
		const client = await RawGatewayClient.connect(fake.gatewayUrl);
		clients.push(client);
		return client;
	};

	beforeEach(async () => {
		fake = await FakeDiscord.start({ shardCount: 2 });
	});
	afterEach(async () => {
		for (const client of clients.splice(0)) client.close();
		await fake.close();
	});

	test('GIVEN two shards WHEN the bot asks GET /gateway/bot THEN it gets both, with max_concurrency covering them', async () => {
		const { status, body } = await rawRequest(fake.restBase, 'GET', '/gateway/bot');
		expect(status).toBe(200);
		expect(body).toMatchObject({ url: fake.gatewayUrl, shards: 2, session_start_limit: { remaining: expect.any(Number) } });
		expect(body.session_start_limit.max_concurrency).toBeGreaterThanOrEqual(2);
	});

	test("GIVEN guilds on both shards WHEN each shard identifies THEN READY and GUILD_CREATE carry only that shard's guilds", async () => {
		const guilds = Array.from({ length: 6 }, (_, index) => fake.createGuild({ name: `Guild ${index}` }));
		for (const guild of guilds) expect(guild.id).toMatch(/^\d{17,19}$/);

		for (const shardId of [0, 1]) {
			const client = await connect();
			const ready = await client.identify({ shard: [shardId, 2] });
			const expected = guilds.filter((guild) => shardForGuild(guild.id, 2) === shardId).map((guild) => guild.id);
			expect(ready.d).toMatchObject({
				v: 10,
				user: { id: fake.botUser.id, bot: true },
				application: { id: fake.applicationId },
				shard: [shardId, 2]
			});
			expect(ready.d.guilds).toEqual(expected.map((id) => ({ id, unavailable: true })));
			const created = client.received.filter((payload) => payload.t === 'GUILD_CREATE').map((payload) => payload.d);
			expect(created.map((guild) => guild.id).sort()).toEqual([...expected].sort());
			for (const guild of created) {
				expect(guild.roles.find((role: { name: string }) => role.name === '@everyone').id).toBe(guild.id);
				expect(guild.channels.some((channel: { type: number }) => channel.type === 0)).toBe(true);
				expect(guild).toMatchObject({
					owner_id: expect.any(String),
					member_count: expect.any(Number),
					joined_at: expect.any(String),
					features: []
				});
			}
		}
		expect(fake.connectedShards()).toEqual([0, 1]);
	});

	test("GIVEN a connected bot WHEN a role is created in its guild THEN it receives GUILD_ROLE_CREATE on the guild's shard", async () => {
		const guild = fake.createGuild({ name: 'Roles' });
		const client = await connect();
		await client.identify({ shard: [shardForGuild(guild.id, 2), 2] });
		const role = fake.createRole(guild.id, { name: 'Voters' });
		const event = await client.next((payload) => payload.t === 'GUILD_ROLE_CREATE');
		expect(event.d).toMatchObject({ guild_id: guild.id, role: { id: role.id, name: 'Voters' } });
	});

	test('GIVEN an identified client WHEN it heartbeats THEN the fake acknowledges', async () => {
		const client = await connect();
		await client.identify();
		client.send({ op: 1, d: client.seq });
		await client.next((payload) => payload.op === 11);
	});

	test('GIVEN a dropped resumable connection WHEN the client resumes THEN missed dispatches are replayed, then RESUMED', async () => {
		const client = await connect();
		await client.identify();
		const { sessionId, seq } = client;
		fake.dropShard(0, { resumable: true });
		expect(await client.closed()).toBe(1006);

		const missed = fake.createGuild({ name: 'Created while down' });
		const again = await connect();
		const replayed = again.next((payload) => payload.t === 'GUILD_CREATE');
		const resumedPayload = again.next((payload) => payload.t === 'RESUMED');
		again.resume(sessionId!, seq);
		expect((await replayed).d.id).toBe(missed.id);
		const resumed = await resumedPayload;
		expect(resumed.s).toBe(seq! + 2);
		expect(fake.gatewayLog.filter((entry) => entry.kind === 'IDENTIFY')).toHaveLength(1);
		expect(fake.gatewayLog.some((entry) => entry.kind === 'RESUME' && entry.detail === seq)).toBe(true);
	});

	test('GIVEN a non-resumable drop WHEN the client tries to resume THEN it gets op 9 false both times', async () => {
		const client = await connect();
		await client.identify();
		const invalid = client.next((payload) => payload.op === 9);
		fake.dropShard(0, { resumable: false });
		expect((await invalid).d).toBe(false);
		client.close();

		const again = await connect();
		const refused = again.next((payload) => payload.op === 9);
		again.resume(client.sessionId!, client.seq);
		expect((await refused).d).toBe(false);
	});

	test('GIVEN a connected bot WHEN it is asked to reconnect THEN op 7 arrives', async () => {
		const client = await connect();
		await client.identify();
		const reconnect = client.next((payload) => payload.op === 7);
		fake.reconnectShard(0);
		await reconnect;
	});

	test('GIVEN a connected bot WHEN it is kicked, or leaves via REST THEN GUILD_DELETE goes to the owning shard', async () => {
		const client = await connect();
		await client.identify();
		const kicked = fake.createGuild({ name: 'Kicks the bot' });
		await client.next((payload) => payload.t === 'GUILD_CREATE' && payload.d.id === kicked.id);
		const deleted = client.next((payload) => payload.t === 'GUILD_DELETE');
		fake.removeGuild(kicked.id);
		expect((await deleted).d).toEqual({ id: kicked.id });
		expect(fake.isBotInGuild(kicked.id)).toBe(false);

		const left = fake.createGuild({ name: 'Bot leaves' });
		await client.next((payload) => payload.t === 'GUILD_CREATE' && payload.d.id === left.id);
		const leftEvent = client.next((payload) => payload.t === 'GUILD_DELETE');
		expect((await rawRequest(fake.restBase, 'DELETE', `/users/@me/guilds/${left.id}`)).status).toBe(204);
		expect((await leftEvent).d.id).toBe(left.id);
		expect(fake.isBotInGuild(left.id)).toBe(false);
	});

	test('GIVEN an IDENTIFY for a shard beyond the count THEN the socket is closed with 4010', async () => {
		const client = await connect();
		client.send({ op: 2, d: { token: 't', intents: 1, properties: {}, shard: [2, 2] } });
		expect(await client.closed()).toBe(4010);
	});
});
