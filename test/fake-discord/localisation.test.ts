import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FakeDiscord } from './fake-discord.js';
import { RawGatewayClient, rawRequest } from './raw-client.js';

const pollCommand = {
	name: 'poll',
	description: 'Polls',
	name_localizations: { de: 'umfrage', fr: 'sondage', hi: 'मतदान', th: 'โพล' },
	description_localizations: { de: 'Umfragen', 'es-ES': 'Encuestas' },
	options: [
		{
			type: 1,
			name: 'create',
			description: 'Create a poll',
			name_localizations: { de: 'erstellen' },
			description_localizations: { de: 'Eine Umfrage erstellen' },
			options: [
				{
					type: 3,
					name: 'kind',
					description: 'Kind',
					name_localizations: { 'pt-BR': 'tipo' },
					choices: [{ name: 'Yes or no', value: 'yesno', name_localizations: { de: 'Ja oder nein', fr: 'Oui ou non' } }]
				}
			]
		}
	]
};

describe('fake localisation', () => {
	let fake: FakeDiscord;
	let bot: RawGatewayClient;
	const commandsPath = () => `/applications/${fake.applicationId}/commands`;
	const nextInteraction = () => bot.next((payload) => payload.t === 'INTERACTION_CREATE');

	beforeEach(async () => {
		fake = await FakeDiscord.start();
		bot = await RawGatewayClient.connect(fake.gatewayUrl);
		await bot.identify();
	});
	afterEach(async () => {
		bot.close();
		await fake.close();
	});

	describe('interactions', () => {
		beforeEach(async () => {
			await rawRequest(fake.restBase, 'POST', commandsPath(), { body: { name: 'ping', description: 'Ping', contexts: [0, 1] } });
		});

		test('GIVEN nobody set a language THEN an interaction in a server carries locale and guild_locale en-US', async () => {
			const guild = fake.createGuild({ name: 'Plain' });
			const alice = fake.createUser({ username: 'alice' });
			const dispatched = nextInteraction();
			fake.slash({ user: alice, guildId: guild.id, command: 'ping' });
			expect((await dispatched).d).toMatchObject({ locale: 'en-US', guild_locale: 'en-US' });
		});

		test("GIVEN a German member in a French server THEN the interaction carries the member's locale and the server's", async () => {
			const guild = fake.createGuild({ name: 'Paris', locale: 'fr' });
			const hans = fake.createUser({ username: 'hans', locale: 'de' });
			const dispatched = nextInteraction();
			fake.slash({ user: hans, guildId: guild.id, command: 'ping' });
			expect((await dispatched).d).toMatchObject({ locale: 'de', guild_locale: 'fr', guild: { locale: 'fr' } });
		});

		test('GIVEN the member and the server change language THEN later interactions follow, and the bot gets GUILD_UPDATE', async () => {
			const guild = fake.createGuild({ name: 'Madrid' });
			const ana = fake.createUser({ username: 'ana' });
			const updated = bot.next((payload) => payload.t === 'GUILD_UPDATE');
			fake.setGuildLocale(guild.id, 'es-ES');
			expect((await updated).d).toMatchObject({ id: guild.id, preferred_locale: 'es-ES' });
			fake.setUserLocale(ana.id, 'pt-BR');
			const inGuild = nextInteraction();
			fake.slash({ user: ana, guildId: guild.id, command: 'ping' });
			expect((await inGuild).d).toMatchObject({ locale: 'pt-BR', guild_locale: 'es-ES' });
			const inDm = nextInteraction();
			fake.slash({ user: ana, command: 'ping' });
			const { d } = await inDm;
			expect(d.locale).toBe('pt-BR');
			expect(d.guild_locale).toBeUndefined();
		});

		test('GIVEN a code Discord does not know THEN the driver refuses it', () => {
			const user = fake.createUser({ username: 'x' });
			expect(() => fake.setUserLocale(user.id, 'german')).toThrow(/not a Discord locale/);
			expect(() => fake.createGuild({ name: 'Bad', locale: 'en' })).toThrow(/not a Discord locale/);
			expect(() => fake.slash({ user, command: 'ping', locale: 'xx' })).toThrow(/not a Discord locale/);
		});
	});

	describe('command localisations', () => {
		test('GIVEN a command localised at every level WHEN registered THEN GET with_localizations returns the maps, and plain GET leaves them out', async () => {
			expect((await rawRequest(fake.restBase, 'POST', commandsPath(), { body: pollCommand })).status).toBe(201);
			const [full] = (await rawRequest(fake.restBase, 'GET', `${commandsPath()}?with_localizations=true`)).body;
			expect(full).toMatchObject({
				name_localizations: pollCommand.name_localizations,
				description_localizations: pollCommand.description_localizations,
				options: [
					{
						name_localizations: { de: 'erstellen' },
						description_localizations: { de: 'Eine Umfrage erstellen' },
						options: [
							{ name_localizations: { 'pt-BR': 'tipo' }, choices: [{ name_localizations: { de: 'Ja oder nein', fr: 'Oui ou non' } }] }
						]
					}
				]
			});
			const [plain] = (await rawRequest(fake.restBase, 'GET', commandsPath())).body;
			expect(JSON.stringify(plain)).not.toContain('localizations');
			expect(plain.options[0].options[0].choices[0]).toEqual({ name: 'Yes or no', value: 'yesno' });
			expect(fake.violations).toEqual([]);
		});

		const withSubcommand = (patch: Record<string, unknown>) => ({
			...pollCommand,
			options: [{ ...pollCommand.options[0], ...patch }]
		});
		const withChoiceLocalizations = (map: Record<string, string>) =>
			withSubcommand({
				options: [{ type: 3, name: 'kind', description: 'Kind', choices: [{ name: 'A', value: 'a', name_localizations: map }] }]
			});

		test.each([
			['an unknown locale key on the command', { ...pollCommand, name_localizations: { german: 'umfrage' } }, 'name_localizations.german'],
			['an upper-case localised name', { ...pollCommand, name_localizations: { de: 'Umfrage' } }, 'name_localizations.de'],
			['a localised name with a space', { ...pollCommand, name_localizations: { fr: 'mon sondage' } }, 'name_localizations.fr'],
			['a localised name of 33 characters', { ...pollCommand, name_localizations: { de: 'u'.repeat(33) } }, 'name_localizations.de'],
			['an empty localised description', { ...pollCommand, description_localizations: { de: '' } }, 'description_localizations.de'],
			[
				'a localised description of 101 characters',
				{ ...pollCommand, description_localizations: { de: 'd'.repeat(101) } },
				'description_localizations.de'
			],
			['an upper-case subcommand name', withSubcommand({ name_localizations: { de: 'Erstellen' } }), 'options.0.name_localizations.de'],
			[
				'an unknown locale on a subcommand description',
				withSubcommand({ description_localizations: { xx: 'x' } }),
				'options.0.description_localizations.xx'
			],
			[
				'a choice name of 101 characters',
				withChoiceLocalizations({ de: 'c'.repeat(101) }),
				'options.0.options.0.choices.0.name_localizations.de'
			],
			[
				'a choice name under an unknown locale',
				withChoiceLocalizations({ 'en-AU': 'Arvo' }),
				'options.0.options.0.choices.0.name_localizations.en-AU'
			]
		])('GIVEN %s WHEN registered THEN 400 Invalid Form Body there, and a violation', async (_label, body, path) => {
			const response = await rawRequest(fake.restBase, 'POST', commandsPath(), { body });
			expect(response.status).toBe(400);
			expect(response.body.code).toBe(50035);
			const node = path.split('.').reduce((errors, key) => errors?.[key], response.body.errors);
			expect(node?._errors).toHaveLength(1);
			expect(fake.violations).toEqual([expect.objectContaining({ code: 50035, route: '/applications/:applicationId/commands' })]);
			expect(fake.commands).toEqual([]);
		});

		test('GIVEN a bulk overwrite with a bad localisation THEN the whole PUT is refused', async () => {
			const response = await rawRequest(fake.restBase, 'PUT', commandsPath(), {
				body: [pollCommand, { name: 'ping', description: 'Ping', description_localizations: { de: '' } }]
			});
			expect(response.status).toBe(400);
			expect(response.body.errors[1].description_localizations.de._errors).toHaveLength(1);
			expect(fake.commands).toEqual([]);
		});

		test('GIVEN a localised user command THEN capitals and spaces are fine in its name, as Discord allows for context menus', async () => {
			const response = await rawRequest(fake.restBase, 'POST', commandsPath(), {
				body: { type: 2, name: 'Show polls', name_localizations: { de: 'Umfragen zeigen' } }
			});
			expect(response.status).toBe(201);
			expect(fake.violations).toEqual([]);
		});
	});
});
