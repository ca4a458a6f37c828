import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Permission, type FakeGuild, type FakeUser } from '../fake-discord/index.js';
import { expectCleanProtocol, useStack } from './harness.js';
import { approve, createPollByCommand, embedDescription, isEphemeral, openStackDatabase, runCommand } from '../support/polls.js';

const shipped = ['de', 'es-ES', 'fr', 'pt-BR'];

const world = {} as {
	english: FakeGuild;
	french: FakeGuild;
	admin: FakeUser;
	german: FakeUser;
	korean: FakeUser;
};

describe('GIVEN a bot that speaks five languages', () => {
	const stack = useStack({
		setup: (fake) => {
			world.admin = fake.createUser({ username: 'admin' });
			world.german = fake.createUser({ username: 'hans', locale: 'de' });
			world.korean = fake.createUser({ username: 'minji', locale: 'ko' });
			world.english = fake.createGuild({ name: 'English club', ownerId: world.admin.id });
			world.french = fake.createGuild({ name: 'Club français', ownerId: world.admin.id });
			for (const guild of [world.english, world.french]) {
				const managers = fake.createRole(guild.id, { name: 'Managers', permissions: Permission.ManageGuild });
				fake.addMember(guild.id, world.admin.id, { roles: [managers.id] });
				fake.addMember(guild.id, world.german.id);
				fake.addMember(guild.id, world.korean.id);
			}
		}
	});
	let sql: postgres.Sql;
	beforeAll(async () => {
		sql = openStackDatabase(stack());
		await approve(sql, world.english.id, world.french.id);
	});
	afterAll(async () => {
		await sql.end({ timeout: 1 });
	});

	test('WHEN the bot registers its commands THEN every command, option and choice carries all four other languages', () => {
		const commands = stack().fake.commands;
		const poll = commands.find((command) => command.name === 'poll')!;
		expect(poll.name_localizations).toEqual({ de: 'umfrage', 'es-ES': 'encuesta', fr: 'sondage', 'pt-BR': 'enquete', 'en-US': 'poll' });
		type Node = { name: string; name_localizations?: Record<string, string> | null; options?: Node[]; choices?: Node[] };
		const missing: string[] = [];
		const walk = (node: Node, path: string, withDescription: boolean) => {
			for (const locale of shipped) {
				if (!node.name_localizations?.[locale]) missing.push(`${path} name ${locale}`);
				if (withDescription && !(node as { description_localizations?: Record<string, string> }).description_localizations?.[locale])
					missing.push(`${path} description ${locale}`);
			}
			for (const option of node.options ?? []) walk(option, `${path} ${option.name}`, true);
			for (const choice of node.choices ?? []) walk(choice, `${path} =${choice.name}`, false);
		};
		for (const command of commands) walk(command as unknown as Node, command.name, true);
		expect(missing).toEqual([]);
		expect(commands.map((command) => command.name).sort()).toContain('settings');
		expectCleanProtocol(stack().fake);
	});

	test('GIVEN a German member in an English server WHEN they create a poll and ask for its results THEN the answers are German and the poll English', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.german, world.english.id, { question: 'Lunch?', options: 'Pizza | Sushi' });
		expect((poll.message.embeds[0] as { title?: string }).title).toBe(`Poll #${poll.number}`);
		const results = await runCommand(s, world.german, world.english.id, 'poll results', { poll: String(poll.number) });
		expect(isEphemeral(results)).toBe(true);
		expect(results.content).toContain(`**Umfrage #${poll.number}**: Lunch?`);
		const refused = await runCommand(s, world.german, world.english.id, 'poll results', { poll: 'zwölf' });
		expect(refused.content).toBe('„zwölf“ ist keine Umfragenummer: Gib die Nummer an, die auf der Umfrage steht, etwa 12 oder #12.');
		// /help names the commands as her `/` picker shows them.
		const help = JSON.stringify((await runCommand(s, world.german, world.english.id, 'help')).embeds);
		expect(help).toContain('**/umfrage**');
		expect(help).not.toContain('**/poll**');
		expectCleanProtocol(s.fake);
	});

	test('GIVEN a member without Manage Server WHEN they look for /settings THEN Discord hides it from them and nothing changes', async () => {
		const s = stack();
		expect(() =>
			s.fake.slash({ user: world.german, guildId: world.english.id, command: 'settings language', options: { language: 'fr' } })
		).toThrow(/default_member_permissions 32/);
		const rows = await sql`select 1 from guild_settings where guild_id = ${world.english.id}`;
		expect(rows).toHaveLength(0);
	});

	test('GIVEN /settings language fr WHEN a poll is created and its deadline passes across a restart THEN poll and closing notice are French', async () => {
		const s = stack();
		const set = await runCommand(s, world.admin, world.french.id, 'settings language', { language: 'fr' });
		expect(isEphemeral(set)).toBe(true);
		expect(set.content).toBe(
			'From now on, the bot’s public messages in this server are in French (Français). Polls already posted keep their language.'
		);
		const shown = await runCommand(s, world.admin, world.french.id, 'settings show');
		// The language comes first; the role weights (none here) follow it.
		expect(embedDescription(shown).split('\n')[0]).toBe('**Language of public messages**: French (Français)');
		expect(embedDescription(shown)).toContain('Role weights: none');

		const handle = s.fake.slash({
			user: world.admin,
			guildId: world.french.id,
			command: 'poll create',
			options: { question: 'Fromage ?', options: 'Brie | Comté', duration: '1h' }
		});
		const message = await handle.waitForOriginal();
		expect(isEphemeral(message)).toBe(false);
		expect((message.embeds[0] as { title?: string }).title).toBe('Sondage n° 1');
		expect(embedDescription(message)).toContain('Votants : 0');

		await s.bot.stop('SIGTERM');
		await sql`update polls set closes_at = now() - interval '1 minute' where guild_id = ${world.french.id} and poll_number = 1`;
		await s.bot.start();
		const notice = await s.fake.waitForMessage((sent) => !isEphemeral(sent) && sent.content.startsWith('Le sondage n° 1 est clos.'), 10_000);
		expect(notice.channel_id).toBe(message.channel_id);
		expectCleanProtocol(s.fake);
	});

	test('GIVEN a member whose language the bot lacks (ko) WHEN they ask in the French server THEN the answer is in the server’s language', async () => {
		const s = stack();
		const refused = await runCommand(s, world.korean, world.french.id, 'poll results', { poll: 'x' });
		expect(isEphemeral(refused)).toBe(true);
		expect(refused.content).toBe('« x » n’est pas un numéro de sondage : indique le numéro affiché sur le sondage, par exemple 12 ou #12.');
		const english = await runCommand(s, world.korean, world.english.id, 'poll results', { poll: 'x' });
		expect(english.content).toBe('“x” is not a poll number: give the number shown on the poll, such as 12 or #12.');
	});
});
