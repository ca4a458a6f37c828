export { FakeDiscord, type FakeDiscordOptions, type FakeDiscordEvents, type UnknownRoute } from './fake-discord.js';
export { FakeClock } from './clock.js';
export type { RegisteredCommand, CommandOption } from './commands.js';
export { DiscordApiError } from './errors.js';
export type { GatewayEventKind, GatewayLogEntry, SessionInfo } from './gateway.js';
export {
	CALLBACK_DEADLINE_MS,
	CallbackType,
	InteractionError,
	InteractionHandle,
	InteractionType,
	TOKEN_LIFETIME_MS,
	type CallbackBody,
	type InteractionRecord
} from './interactions.js';
export type { WouldPing, AllowedMentions } from './mentions.js';
export { MessageFlags, type FakeMessage, type StoredAttachment } from './messages.js';
export { ALL_PERMISSIONS, Permission } from './permissions.js';
export type { RequestHold, RequestLogEntry, RouteMatcher, Violation } from './rest.js';
export { Route } from './routes.js';
export { shardForGuild, snowflakeTimestamp } from './snowflake.js';
export { ChannelType, type CreateGuildOptions, type FakeChannel, type FakeGuild, type FakeMember, type FakeRole, type FakeUser } from './world.js';
