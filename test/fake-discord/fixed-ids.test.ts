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

describe('fake world lookups', () => {
	let fake: FakeDiscord;

	beforeEach(async () => {
		fake = await FakeDiscord.start();
	});

	afterEach(async () => {
		await fake.close();
	});

	test('GIVEN a member with a role granting Manage Server THEN memberPermissions includes it, and a plain member lacks it', () => {
		const morgan = fake.createUser({ username: 'morgan' });
		const alice = fake.createUser({ username: 'alice' });
		const guild = fake.createGuild({ name: 'Perms', roles: [{ name: 'Moderators', permissions: 1n << 5n }] });
		const moderators = guild.roles.find((role) => role.name === 'Moderators')!;
		fake.addMember(guild.id, morgan.id, { roles: [moderators.id] });
		fake.addMember(guild.id, alice.id);

		expect(fake.memberPermissions(guild.id, morgan.id) & (1n << 5n)).toBe(1n << 5n);
		expect(fake.memberPermissions(guild.id, alice.id) & (1n << 5n)).toBe(0n);
		expect(() => fake.memberPermissions(guild.id, '200000000000000099')).toThrow(/not a member/);
	});

	test('GIVEN a user THEN dmChannel gives one DM channel, the same every time', () => {
		const alice = fake.createUser({ username: 'alice' });
		const channel = fake.dmChannel(alice.id);
		expect(channel.type).toBe(1);
		expect(fake.dmChannel(alice.id).id).toBe(channel.id);
		expect(fake.dms(alice.id)).toEqual([]);
	});
});
