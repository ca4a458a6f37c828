/**
 * The playground's people and servers, created in the fake Discord. Their ids are kept in `world.json` next to the
 * playground's database, so a restart recreates the same servers and users and the bot's database still recognises
 * them (an approved server stays approved). Messages live only in the fake's memory and start empty on each run.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { FakeDiscord, FakeGuild } from '../test/fake-discord/index.js';
import { ChannelType, Permission } from '../test/fake-discord/index.js';

/** Who you can act as in the page: one key per person, in the order the user switcher shows them. */
export const People = [
	{ key: 'owner', username: 'olivia', name: 'Olivia', note: 'bot owner' },
	{ key: 'alice', username: 'alice', name: 'Alice', note: 'member' },
	{ key: 'bob', username: 'bob', name: 'Bob', note: 'member' },
	{ key: 'charlie', username: 'charlie', name: 'Charlie', note: 'member' },
	{ key: 'morgan', username: 'morgan', name: 'Morgan', note: 'Manage Server' },
	{ key: 'vera', username: 'vera', name: 'Vera', note: 'Voters role' }
] as const;

export type PersonKey = (typeof People)[number]['key'];

interface SavedChannel {
	id: string;
	name: string;
	type: number;
}

interface SavedGuild {
	id: string;
	name: string;
	ownerId: string;
	channels: SavedChannel[];
	roles: { moderators: string; voters: string };
}

interface SavedWorld {
	version: 1;
	users: Record<PersonKey, string>;
	guilds: SavedGuild[];
}

export interface PlaygroundPerson {
	key: PersonKey;
	id: string;
	name: string;
	note: string;
}

const guildChannels = [
	{ name: 'Text Channels', type: ChannelType.GuildCategory },
	{ name: 'general', type: ChannelType.GuildText },
	{ name: 'polls', type: ChannelType.GuildText }
];

export class PlaygroundWorld {
	private constructor(
		private readonly fake: FakeDiscord,
		private readonly file: string | null,
		private readonly saved: SavedWorld,
		public readonly people: PlaygroundPerson[]
	) {}

	/**
	 * Recreates the world saved in `file`, or makes a fresh one (a server called "Playground" owned by the bot
	 * owner) and saves it. `file` null keeps nothing on disk (tests).
	 */
	public static async load(fake: FakeDiscord, file: string | null): Promise<PlaygroundWorld> {
		const saved = file !== null && existsSync(file) ? parseSaved(await readFile(file, 'utf8')) : null;
		const users = {} as Record<PersonKey, string>;
		const people = People.map((person) => {
			const user = fake.createUser({ username: person.username, globalName: person.name, ...(saved ? { id: saved.users[person.key] } : {}) });
			users[person.key] = user.id;
			return { key: person.key, id: user.id, name: person.name, note: person.note };
		});
		const world = new PlaygroundWorld(fake, file, { version: 1, users, guilds: [] }, people);
		if (saved) {
			for (const guild of saved.guilds) world.createGuild(guild.name, guild.ownerId, guild);
		} else {
			world.createGuild('Playground', users.owner);
		}
		await world.save();
		return world;
	}

	public get ownerId(): string {
		return this.saved.users.owner;
	}

	public get guildIds(): string[] {
		return this.saved.guilds.map((guild) => guild.id);
	}

	/** A new server, owned by `ownerId`, with everyone in it; the bot joins at once, as if invited (GUILD_CREATE). */
	public async inviteToNewGuild(name: string, ownerId: string): Promise<FakeGuild> {
		const guild = this.createGuild(name, ownerId);
		await this.save();
		return guild;
	}

	private createGuild(name: string, ownerId: string, saved?: SavedGuild): FakeGuild {
		const guild = this.fake.createGuild({
			...(saved ? { id: saved.id } : {}),
			name,
			ownerId,
			memberCount: People.length + 1,
			channels: guildChannels.map((channel, index) => ({ ...channel, ...(saved?.channels[index] ? { id: saved.channels[index].id } : {}) })),
			roles: [
				{
					name: 'Moderators',
					permissions: Permission.ManageGuild | Permission.ManageMessages,
					...(saved ? { id: saved.roles.moderators } : {})
				},
				{ name: 'Voters', mentionable: true, ...(saved ? { id: saved.roles.voters } : {}) }
			]
		});
		const roleId = (roleName: string) => guild.roles.find((role) => role.name === roleName)!.id;
		const roles = { moderators: roleId('Moderators'), voters: roleId('Voters') };
		for (const person of this.people) {
			if (person.id === ownerId) continue;
			const personRoles = person.key === 'morgan' ? [roles.moderators] : person.key === 'vera' ? [roles.voters] : [];
			this.fake.addMember(guild.id, person.id, { roles: personRoles });
		}
		const channels = guild.channelIds.map((id) => {
			const channel = this.fake.channel(id)!;
			return { id, name: channel.name ?? '', type: channel.type };
		});
		this.saved.guilds.push({ id: guild.id, name, ownerId, channels, roles });
		return guild;
	}

	private async save(): Promise<void> {
		if (this.file !== null) await writeFile(this.file, `${JSON.stringify(this.saved, null, '\t')}\n`);
	}
}

function parseSaved(text: string): SavedWorld | null {
	try {
		const parsed = JSON.parse(text) as SavedWorld;
		const complete =
			parsed.version === 1 && People.every((person) => typeof parsed.users?.[person.key] === 'string') && Array.isArray(parsed.guilds);
		return complete ? parsed : null;
	} catch {
		return null;
	}
}
