/**
 * The reference floor for `npm run bench`: the smallest honest Sapphire bot doing the job the benchmark measures, and
 * nothing else. `/ping` answers; `/buttons` posts a message with five buttons; a click is one conflict-safe upsert
 * (a member's click replaces their earlier one) and an ephemeral reply. No approval, no rules, no coalesced edits, no
 * metrics, default discord.js caches: what any bot doing this must at least pay, on the same fake Discord and
 * PostgreSQL as ours, so the benchmark can say how far above that floor our bot runs.
 *
 * Started by bench/main.ts with `node --import tsx bench/floor/main.ts`; reads TOKEN, DISCORD_API_URL and DATABASE_URL.
 * Pieces are registered by hand (no folder scanning), so it runs from TypeScript as it is.
 */
import { Command, container, InteractionHandler, InteractionHandlerTypes, SapphireClient } from '@sapphire/framework';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, GatewayIntentBits, MessageFlags, type ButtonInteraction } from 'discord.js';
import postgres from 'postgres';

const required = (name: string) => {
	const value = process.env[name];
	if (!value) {
		console.error(`${name} is required`);
		process.exit(1);
	}
	return value;
};

const sql = postgres(required('DATABASE_URL'), { max: 10, onnotice: () => {} });
await sql`
	create table if not exists floor_votes (
		guild_id bigint not null,
		message_id bigint not null,
		user_id bigint not null,
		option smallint not null,
		primary key (guild_id, message_id, user_id)
	)
`;

const prefix = 'fv:';

class PingCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry) {
		registry.registerChatInputCommand((builder) => builder.setName('ping').setDescription('Pong'));
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction) {
		await interaction.reply({ content: 'Pong!', flags: MessageFlags.Ephemeral });
	}
}

class ButtonsCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry) {
		registry.registerChatInputCommand((builder) => builder.setName('buttons').setDescription('Posts five buttons'));
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction) {
		const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
			Array.from({ length: 5 }, (_, option) =>
				new ButtonBuilder()
					.setCustomId(`${prefix}${option}`)
					.setLabel(`Option ${option + 1}`)
					.setStyle(ButtonStyle.Primary)
			)
		);
		await interaction.reply({ content: 'Pick one', components: [row] });
	}
}

class VoteButton extends InteractionHandler {
	public override parse(interaction: ButtonInteraction) {
		if (!interaction.customId.startsWith(prefix)) return this.none();
		const option = Number(interaction.customId.slice(prefix.length));
		return Number.isInteger(option) && option >= 0 && option < 5 ? this.some(option) : this.none();
	}

	public override async run(interaction: ButtonInteraction, option: number) {
		await sql`
			insert into floor_votes (guild_id, message_id, user_id, option)
			values (${interaction.guildId}, ${interaction.message.id}, ${interaction.user.id}, ${option})
			on conflict (guild_id, message_id, user_id) do update set option = excluded.option
		`;
		await interaction.reply({ content: `Recorded: option ${option + 1}`, flags: MessageFlags.Ephemeral });
	}
}

const client = new SapphireClient({
	intents: [GatewayIntentBits.Guilds],
	baseUserDirectory: null,
	rest: { api: required('DISCORD_API_URL') }
});
await container.stores.loadPiece({ store: 'commands', name: 'ping', piece: PingCommand });
await container.stores.loadPiece({ store: 'commands', name: 'buttons', piece: ButtonsCommand });
await container.stores.loadPiece({
	store: 'interaction-handlers',
	name: 'vote',
	piece: class extends VoteButton {
		public constructor(context: InteractionHandler.LoaderContext) {
			super(context, { interactionHandlerType: InteractionHandlerTypes.Button });
		}
	}
});
// The benchmark's process runner waits for this line, which our bot prints once its commands are registered.
client.once('applicationCommandRegistriesRegistered', () => console.log('Commands registered (floor)'));

const stop = async () => {
	await client.destroy();
	await sql.end({ timeout: 1 });
	process.exit(0);
};
process.once('SIGTERM', () => void stop());
await client.login(required('TOKEN'));
