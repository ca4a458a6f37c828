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

/**
 * The languages the page offers, for a member's Discord client and for a server: the five the bot ships, and two it
 * does not (Korean, Japanese) to show its fallback (a member's unshipped language gives the server's; a server's
 * gives English).
 */
export const Languages = [
	{ code: 'en-US', name: 'English (US)', shipped: true },
	{ code: 'de', name: 'Deutsch', shipped: true },
	{ code: 'fr', name: 'Français', shipped: true },
	{ code: 'es-ES', name: 'Español', shipped: true },
	{ code: 'pt-BR', name: 'Português do Brasil', shipped: true },
	{ code: 'ko', name: '한국어 (not shipped)', shipped: false },
	{ code: 'ja', name: '日本語 (not shipped)', shipped: false }
] as const;

export function isPlaygroundLanguage(code: string): boolean {
	return Languages.some((language) => language.code === code);
}

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
	/** The server's preferred language; absent is en-US. */
	locale?: string;
}

interface SavedWorld {
	version: 1;
	users: Record<PersonKey, string>;
	/** Each person's client language, when not en-US. */
	locales?: Partial<Record<PersonKey, string>>;
	guilds: SavedGuild[];
}

export interface PlaygroundPerson {
	key: PersonKey;
	id: string;
	name: string;
	note: string;
	/** The language of their Discord client (`locale` of their interactions). */
	locale: string;
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
		const locales: Partial<Record<PersonKey, string>> = {};
		const people = People.map((person) => {
			const savedLocale = saved?.locales?.[person.key];
			const locale = savedLocale !== undefined && isPlaygroundLanguage(savedLocale) ? savedLocale : 'en-US';
			const user = fake.createUser({
				username: person.username,
				globalName: person.name,
				locale,
				...(saved ? { id: saved.users[person.key] } : {})
			});
			users[person.key] = user.id;
			if (locale !== 'en-US') locales[person.key] = locale;
			return { key: person.key, id: user.id, name: person.name, note: person.note, locale };
		});
		const world = new PlaygroundWorld(fake, file, { version: 1, users, locales, guilds: [] }, people);
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

	/** The language of the person's Discord client from now on: their next interactions carry it as `locale`. */
	public async setPersonLocale(userId: string, locale: string): Promise<void> {
		const person = this.people.find((candidate) => candidate.id === userId);
		if (!person) throw new Error(`unknown user ${userId}`);
		if (!isPlaygroundLanguage(locale)) throw new Error(`unknown language ${locale}`);
		this.fake.setUserLocale(userId, locale);
		person.locale = locale;
		const locales = (this.saved.locales ??= {});
		if (locale === 'en-US') delete locales[person.key];
		else locales[person.key] = locale;
		await this.save();
	}

	/** The server's preferred language (Discord's server setting): the bot hears of it through GUILD_UPDATE. */
	public async setGuildLocale(guildId: string, locale: string): Promise<void> {
		const saved = this.saved.guilds.find((guild) => guild.id === guildId);
		if (!saved) throw new Error(`unknown server ${guildId}`);
		if (!isPlaygroundLanguage(locale)) throw new Error(`unknown language ${locale}`);
		this.fake.setGuildLocale(guildId, locale);
		if (locale === 'en-US') delete saved.locale;
		else saved.locale = locale;
		await this.save();
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
			...(saved?.locale !== undefined && isPlaygroundLanguage(saved.locale) ? { locale: saved.locale } : {}),
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
		this.saved.guilds.push({ id: guild.id, name, ownerId, channels, roles, ...(guild.locale !== 'en-US' ? { locale: guild.locale } : {}) });
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
