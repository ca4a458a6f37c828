import { container } from '@sapphire/framework';

export function isOwner(userId: string): boolean {
	return container.config.ownerIds.includes(userId);
}

export const notOwnerMessage = 'Only the bot’s owner can do that.';
