import type { UserError } from '@sapphire/framework';
import { Listener } from '@sapphire/framework';
import { SubcommandPluginEvents, type ChatInputSubcommandDeniedPayload } from '@sapphire/plugin-subcommands';
import { answerFailure } from '../../lib/discord/answers.js';

/** The subcommands plugin only logs a denied subcommand; the user deserves an answer. */
export class ChatInputSubcommandDenied extends Listener<typeof SubcommandPluginEvents.ChatInputSubcommandDenied> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: SubcommandPluginEvents.ChatInputSubcommandDenied });
	}

	public override run(error: UserError, { interaction }: ChatInputSubcommandDeniedPayload) {
		return answerFailure(interaction, error);
	}
}
