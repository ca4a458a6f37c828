import { Events, Listener, type ChatInputCommandErrorPayload } from '@sapphire/framework';
import { answerFailure } from '../../lib/discord/answers.js';

export class ChatInputCommandError extends Listener<typeof Events.ChatInputCommandError> {
	public override run(error: unknown, { interaction }: ChatInputCommandErrorPayload) {
		return answerFailure(interaction, error);
	}
}
