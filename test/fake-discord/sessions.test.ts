import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FakeDiscord } from './fake-discord.js';
import { RawGatewayClient, rawRequest, type GatewayPayload } from './raw-client.js';
import type { FakeGuild, FakeUser } from './world.js';

/** Two processes of the same bot on shard 0, as during a rolling deploy. */
describe('fake gateway: several sessions on one shard', () => {
	let fake: FakeDiscord;
	let guild: FakeGuild;
	let alice: FakeUser;
	let first: RawGatewayClient;
	let second: RawGatewayClient;
	const callback = (payload: GatewayPayload, body: unknown) =>
		rawRequest(fake.restBase, 'POST', `/interactions/${payload.d.id}/${payload.d.token}/callback`, { body, auth: false });
	const interactionOn = (client: RawGatewayClient) => client.next((payload) => payload.t === 'INTERACTION_CREATE');

	beforeEach(async () => {
		fake = await FakeDiscord.start();
		guild = fake.createGuild({ name: 'Overlap' });
		alice = fake.createUser({ username: 'alice' });
		await rawRequest(fake.restBase, 'POST', `/applications/${fake.applicationId}/commands`, { body: { name: 'ping', description: 'Ping' } });
		first = await RawGatewayClient.connect(fake.gatewayUrl);
		await first.identify();
		second = await RawGatewayClient.connect(fake.gatewayUrl);
		await second.identify();
	});
	afterEach(async () => {
		first.close();
		second.close();
		await fake.close();
	});

	test('GIVEN two sessions identified on shard 0 THEN both stay connected and both receive the guild events', async () => {
		expect(fake.sessions(0).map((session) => session.id)).toEqual([first.sessionId, second.sessionId]);
		expect(fake.sessions(0).every((session) => session.connected)).toBe(true);
		const events = [first, second].map((client) => client.next((payload) => payload.t === 'GUILD_ROLE_CREATE'));
		const role = fake.createRole(guild.id, { name: 'Voters' });
		for (const event of await Promise.all(events)) expect(event.d.role.id).toBe(role.id);
	});

	test('GIVEN two sessions WHEN a member runs a command THEN both get the same interaction; the first callback wins and the second gets 40060 without a violation', async () => {
		const deliveries = [interactionOn(first), interactionOn(second)];
		const handle = fake.slash({ user: alice, guildId: guild.id, command: 'ping' });
		const [one, two] = await Promise.all(deliveries);
		expect(two!.d.id).toBe(one!.d.id);
		expect(two!.d.token).toBe(one!.d.token);
		expect(handle.record.deliveredTo).toBe(2);

		expect((await callback(one!, { type: 4, data: { content: 'from the old process' } })).status).toBe(204);
		const late = await callback(two!, { type: 4, data: { content: 'from the new process' } });
		expect(late).toMatchObject({ status: 400, body: { code: 40060, message: 'Interaction has already been acknowledged.' } });

		await expect(handle.response).resolves.toMatchObject({ type: 4, data: { content: 'from the old process' } });
		expect(fake.messages(guild.defaultChannelId).map((message) => message.content)).toEqual(['from the old process']);
		expect(fake.repeatedCallbacks).toEqual([expect.objectContaining({ interactionId: handle.id, type: 4 })]);
		expect(fake.violations).toEqual([]);
	});

	test('GIVEN one session WHEN the bot itself answers twice THEN the second callback is still a violation', async () => {
		second.close(1000);
		await second.closed();
		const delivered = interactionOn(first);
		const handle = fake.slash({ user: alice, guildId: guild.id, command: 'ping' });
		const payload = await delivered;
		await callback(payload, { type: 4, data: { content: 'once' } });
		expect((await callback(payload, { type: 4, data: { content: 'twice' } })).status).toBe(400);
		expect(handle.record.deliveredTo).toBe(1);
		expect(fake.repeatedCallbacks).toHaveLength(1);
		expect(fake.violations).toEqual([expect.objectContaining({ code: 40060 })]);
	});

	test('GIVEN two sessions WHEN one drops and resumes THEN it gets what it missed while the other never noticed', async () => {
		const firstSession = first.sessionId!;
		const seqBefore = first.seq;
		fake.dropSession(firstSession, { resumable: true });
		await first.closed();
		expect(fake.sessions(0).find((session) => session.id === firstSession)?.connected).toBe(false);

		const seenBySecond = second.next((payload) => payload.t === 'GUILD_ROLE_CREATE');
		const role = fake.createRole(guild.id, { name: 'While away' });
		expect((await seenBySecond).d.role.id).toBe(role.id);

		const again = await RawGatewayClient.connect(fake.gatewayUrl);
		const replayed = again.next((payload) => payload.t === 'GUILD_ROLE_CREATE');
		const resumed = again.next((payload) => payload.t === 'RESUMED');
		again.resume(firstSession, seqBefore);
		expect((await replayed).d.role.id).toBe(role.id);
		await resumed;
		expect(fake.sessions(0).map((session) => [session.id, session.connected])).toEqual([
			[firstSession, true],
			[second.sessionId, true]
		]);
		expect(second.closeCode).toBeNull();
		again.close();
	});

	test('GIVEN an interaction replayed by a resume after most of its 3 s WHEN the late callback comes THEN 10062, and no violation: nobody could answer in time', async () => {
		second.close(1000);
		await second.closed();
		const session = first.sessionId!;
		const seq = first.seq;
		fake.dropSession(session, { resumable: true });
		await first.closed();
		const handle = fake.slash({ user: alice, guildId: guild.id, command: 'ping' });
		expect(handle.record.deliveredAt).toEqual([]);
		fake.clock.advance(2_900);
		const again = await RawGatewayClient.connect(fake.gatewayUrl);
		const replayed = interactionOn(again);
		again.resume(session, seq);
		const payload = await replayed;
		expect(handle.record.deliveredAt).toHaveLength(1);
		expect(handle.record.deliveredAt[0]! - handle.record.dispatchedAt).toBeGreaterThanOrEqual(2_900);
		fake.clock.advance(200);
		const late = await callback(payload, { type: 4, data: { content: 'late' } });
		expect(late).toMatchObject({ status: 404, body: { code: 10062 } });
		expect(fake.violations).toEqual([]);
		await expect(handle.response).rejects.toThrow(/first delivered \d+ ms after the dispatch/);
		again.close();
	});
});
