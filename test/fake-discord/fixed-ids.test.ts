import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FakeDiscord } from './fake-discord.js';

describe('fake world with fixed ids', () => {
	let fake: FakeDiscord;

	beforeEach(async () => {
		fake = await FakeDiscord.start();
	});

	afterEach(async () => {
		await fake.close();
	});

	test('GIVEN fixed ids WHEN users, a guild, its channels and roles are created THEN they keep exactly those ids', () => {
		const user = fake.createUser({ username: 'olivia', id: '200000000000000001' });
		const guild = fake.createGuild({
			id: '200000000000000010',
			name: 'Kept',
			ownerId: user.id,
			channels: [{ name: 'general', id: '200000000000000011' }],
			roles: [{ name: 'Voters', id: '200000000000000012' }]
		});
		const role = fake.createRole(guild.id, { name: 'Later', id: '200000000000000013' });

		expect(user.id).toBe('200000000000000001');
		expect(guild.id).toBe('200000000000000010');
		expect(guild.defaultChannelId).toBe('200000000000000011');
		expect(fake.channel('200000000000000011')?.guild_id).toBe(guild.id);
		expect(guild.roles.map((candidate) => candidate.id)).toEqual(expect.arrayContaining(['200000000000000012', role.id]));
		expect(role.id).toBe('200000000000000013');
	});

	test('GIVEN a fixed id already in use or not a snowflake WHEN it is reused THEN the driver refuses it', () => {
		fake.createUser({ username: 'olivia', id: '200000000000000001' });
		expect(() => fake.createUser({ username: 'copy', id: '200000000000000001' })).toThrow(/already in use/);
		expect(() => fake.createGuild({ name: 'Bad', id: 'abc' })).toThrow(/not a snowflake/);
	});
});
