import { message, type Message } from '../failures.js';
import type { DecisionRefusal } from './repository.js';
import type { Decision, GuildStatus } from './rules.js';

/** Why an owner's decision changed nothing. */
export function decisionRefusal(refusal: DecisionRefusal, input: { guildId: string; decision: Decision }, current?: GuildStatus): Message {
	const { guildId, decision } = input;
	switch (refusal) {
		case 'unknown':
			return message('approval:unknownServer', { guildId });
		case 'unchanged':
			return current === undefined
				? message('approval:unchangedUnknown', { guildId })
				: message('approval:unchanged', { guildId, status: current });
		case 'forbidden':
			return current === undefined
				? message('approval:forbiddenUnknown', { guildId, decision })
				: message('approval:forbidden', { guildId, decision, status: current });
	}
}
