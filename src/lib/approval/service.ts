/**
 * What happens around approval on Discord's side: asking the owners, acting on their decisions, leaving servers.
 * Talks to Discord through REST only, so it works from any process, whichever shard serves the server.
 */
import { container } from '@sapphire/framework';
import type { Result } from '@sapphire/result';
import { Routes, type APIChannel, type APIMessage } from 'discord.js';
import { ExpectedDiscordErrors, isDiscordError, unlessDiscordError } from '../discord/errors.js';
import { defaultLocale, translator } from '../i18n/index.js';
import { shippedLocale } from '../i18n/readers.js';
import { findOwnerLocale } from '../settings/repository.js';
import {
	decide,
	findGuild,
	listAnnouncements,
	markOwnersNotified,
	recordGuildsSeen,
	saveAnnouncement,
	type DecisionOutcome,
	type DecisionRefusal,
	type GuildFacts
} from './repository.js';
import { renderApprovalRequest } from './render.js';
import type { Decision } from './rules.js';

/** Records servers the bot is in; announces the new ones to the owners and leaves the denied ones. */
export async function syncGuilds(guilds: readonly GuildFacts[]) {
	const batchSize = 1_000;
	for (let start = 0; start < guilds.length; start += batchSize) {
		const since = container.approvals.version;
		const seen = await recordGuildsSeen(container.sql, guilds.slice(start, start + batchSize));
		for (const guild of seen) {
			// Set after each announcement of the batch: an approval made meanwhile (its NOTIFY seen) must win.
			container.approvals.set(guild.guildId, guild.status, since);
			try {
				if (guild.status === 'denied') await leaveGuild(guild.guildId, 'it was denied');
				// New, or pending without any owner told yet (the DMs failed, or the process stopped before them).
				else if (guild.status === 'pending' && !guild.announced) await announceGuild(guild.guildId);
			} catch (error) {
				// One server's failure must not keep the others from being recorded and announced.
				container.logger.warn(`Handling server ${guild.guildId} failed:`, error, { guildId: guild.guildId });
			}
		}
	}
}

/** Sends every owner the approval request for a server; an owner with closed DMs is logged and skipped. */
export async function announceGuild(guildId: string) {
	const guild = await findGuild(container.sql, guildId);
	if (!guild) return;
	let delivered = 0;
	for (const ownerId of container.config.ownerIds) {
		try {
			const body = { ...renderApprovalRequest(await ownerTranslator(ownerId), guild), allowed_mentions: { parse: [] } };
			const channel = (await container.client.rest.post(Routes.userChannels(), { body: { recipient_id: ownerId } })) as APIChannel;
			const message = (await container.client.rest.post(Routes.channelMessages(channel.id), { body })) as APIMessage;
			await saveAnnouncement(container.sql, guildId, { ownerId, channelId: channel.id, messageId: message.id });
			delivered++;
		} catch (error) {
			container.logger.warn(`Could not DM owner ${ownerId} about server ${guildId}; it stays pending and is listed in /admin pending.`, error, {
				guildId
			});
		}
	}
	if (delivered > 0) await markOwnersNotified(container.sql, guildId);
	container.logger.info(`Server "${guild.name}" joined; waiting for approval (${delivered} owner(s) told).`, { guildId });
}

export interface DecisionInput {
	readonly guildId: string;
	readonly decision: Decision;
	readonly decidedBy: string;
	readonly reason: string | null;
	/** The approval DM the decision was made from: it is updated by the interaction itself, not edited here. */
	readonly fromMessageId?: string;
}

/**
 * Applies an owner's decision and its consequences: the cache of this process at once (others through NOTIFY),
 * every owner's approval DM edited, and the bot leaving a denied server.
 */
export async function applyDecision(input: DecisionInput): Promise<Result<DecisionOutcome, DecisionRefusal>> {
	const since = container.approvals.version;
	const result = await decide(container.sql, input);
	const outcome = result.unwrapOr(null);
	if (outcome === null) return result;

	container.approvals.set(input.guildId, outcome.guild.status, since);
	container.logger.info(`Server ${input.guildId}: ${outcome.from} → ${outcome.guild.status} by ${input.decidedBy}.`, { guildId: input.guildId });
	await refreshAnnouncements(input.guildId, input.fromMessageId);
	if (outcome.guild.status === 'denied') {
		// The decision stands either way: a denied server the bot could not leave now is left when it is next seen.
		await leaveGuild(input.guildId, 'it was denied').catch((error: unknown) =>
			container.logger.warn(`Could not leave denied server ${input.guildId} yet:`, error, { guildId: input.guildId })
		);
	}
	return result;
}

/** Makes every owner's copy of the approval DM show the server's current state. */
export async function refreshAnnouncements(guildId: string, exceptMessageId?: string) {
	const guild = await findGuild(container.sql, guildId);
	if (!guild) return;
	for (const announcement of await listAnnouncements(container.sql, guildId)) {
		if (announcement.messageId === exceptMessageId) continue;
		try {
			const body = { ...renderApprovalRequest(await ownerTranslator(announcement.ownerId), guild), allowed_mentions: { parse: [] } };
			await container.client.rest.patch(Routes.channelMessage(announcement.channelId, announcement.messageId), { body });
		} catch (error) {
			if (!isDiscordError(error, ExpectedDiscordErrors.MessageGone)) {
				container.logger.warn(`Could not update the approval DM for server ${guildId}:`, error, { guildId });
			}
		}
	}
}

/** The owner's language as last seen in an interaction (see rememberOwnerLocale in src/lib/settings/service.ts), else en-US. */
async function ownerTranslator(ownerId: string) {
	return translator(shippedLocale(await findOwnerLocale(container.sql, ownerId)) ?? defaultLocale);
}

/** Leaves a server; a server the bot is no longer in counts as left. */
export async function leaveGuild(guildId: string, why: string) {
	const left = await unlessDiscordError(
		container.client.rest.delete(Routes.userGuild(guildId)).then(() => true),
		ExpectedDiscordErrors.NotInGuild
	);
	if (left) container.logger.info(`Left server ${guildId}: ${why}.`, { guildId });
	return left === true;
}
