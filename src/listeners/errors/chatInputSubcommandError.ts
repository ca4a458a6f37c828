import { Listener } from '@sapphire/framework';
import { SubcommandPluginEvents, type ChatInputSubcommandErrorPayload } from '@sapphire/plugin-subcommands';
import { answerFailure } from '../../lib/discord/answers.js';

/** The subcommands plugin only logs a failed subcommand; the user deserves an answer. */
export class ChatInputSubcommandError extends Listener<typeof SubcommandPluginEvents.ChatInputSubcommandError> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: SubcommandPluginEvents.ChatInputSubcommandError });
	}

	public override run(error: unknown, { interaction }: ChatInputSubcommandErrorPayload) {
		return answerFailure(interaction, error);
	}
}
