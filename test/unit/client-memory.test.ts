import {
	Client,
	GatewayDispatchEvents,
	GatewayIntentBits,
	Guild,
	GuildApplicationCommandManager,
	GuildChannelManager,
	GuildMemberManager,
	PresenceManager,
	RoleManager
} from 'discord.js';
import { afterAll, describe, expect, it } from 'vitest';
import { dropUnreadGuildData, makeBotCache, makeGuildManagersLazy } from '../../src/lib/client.js';

const client = new Client({ intents: [GatewayIntentBits.Guilds], makeCache: makeBotCache() });
makeGuildManagersLazy();
dropUnreadGuildData(client);
// As after READY (the user cache keeps the bot's own user only, and asks the client who that is).
Object.assign(client, { user: { id: '300000000000000000' } });
afterAll(() => client.destroy());

/** A GUILD_CREATE as the gateway sends it, through the bot's raw hook and then discord.js, as at start-up. */
function joinGuild(id: string): Guild {
	const data = {
		id,
		name: `Server ${id}`,
		owner_id: '300000000000000001',
		member_count: 12,
		preferred_locale: 'en-US',
		features: [],
		channels: [{ id: `${id}1`, type: 0, name: 'general', position: 0 }],
		threads: [],
		roles: [{ id, name: '@everyone', permissions: '0', position: 0, color: 0, hoist: false, managed: false, mentionable: false }],
		members: [],
		emojis: [],
		stickers: [],
		presences: [],
		voice_states: [],
		stage_instances: [],
		guild_scheduled_events: [],
		soundboard_sounds: []
	};
	client.ws.emit(GatewayDispatchEvents.GuildCreate, data, 0);
	return (client.guilds as unknown as { _add(data: unknown): Guild })._add({ ...data, shardId: 0 });
}

const lazy = [
	'commands',
	'members',
	'bans',
	'roles',
	'presences',
	'voiceStates',
	'stageInstances',
	'invites',
	'scheduledEvents',
	'autoModerationRules',
	'soundboardSounds'
] as const;

describe('the per-server memory of the bot client (src/lib/client.ts)', () => {
	it('GIVEN a server just joined THEN it is available and holds none of the managers it has not used', () => {
		const guild = joinGuild('400000000000000001');
		expect(guild.available).toBe(true);
		expect(guild.name).toBe('Server 400000000000000001');
		expect(guild.memberCount).toBe(12);
		for (const name of lazy) expect(Object.hasOwn(guild, name), name).toBe(false);
		// What GUILD_CREATE itself touches is still made at once.
		expect(guild.channels).toBeInstanceOf(GuildChannelManager);
		expect(Object.hasOwn(guild, 'channels')).toBe(true);
	});

	it('GIVEN a server WHEN a manager is first read THEN it is made for that server once, and kept', () => {
		const guild = joinGuild('400000000000000002');
		const members = guild.members;
		expect(members).toBeInstanceOf(GuildMemberManager);
		expect(members.guild).toBe(guild);
		expect(guild.members).toBe(members);
		expect(Object.hasOwn(guild, 'members')).toBe(true);
		expect(guild.roles).toBeInstanceOf(RoleManager);
		expect(guild.roles.guild).toBe(guild);
		expect(guild.commands).toBeInstanceOf(GuildApplicationCommandManager);
		expect(guild.commands.guild).toBe(guild);
		expect(guild.presences).toBeInstanceOf(PresenceManager);
		expect(guild.presences.client).toBe(client);
		for (const name of lazy) expect(guild[name], name).toBeTruthy();
		// Another server gets its own.
		expect(joinGuild('400000000000000003').members).not.toBe(members);
	});

	it('GIVEN a lazily made members manager WHEN an interaction brings a member THEN discord.js builds it as before, without caching it', () => {
		const guild = joinGuild('400000000000000004');
		const member = (guild.members as unknown as { _add(data: unknown): { id: string; guild: Guild } })._add({
			user: { id: '300000000000000009', username: 'voter', discriminator: '0', avatar: null },
			roles: [],
			joined_at: new Date().toISOString(),
			deaf: false,
			mute: false
		});
		expect(member.id).toBe('300000000000000009');
		expect(member.guild).toBe(guild);
		expect(guild.members.cache.size).toBe(0);
	});

	it('GIVEN the commands manager THEN it shares the one empty cache, as the other managers the bot never reads', () => {
		const [first, second] = [joinGuild('400000000000000005'), joinGuild('400000000000000006')];
		expect(first.commands.cache).toBe(second.commands.cache);
		expect(first.commands.cache).toBe(first.channels.cache);
	});
});
