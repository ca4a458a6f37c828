/** The permission bits the fake needs, as Discord defines them (bitfields travel as decimal strings). */
export const Permission = {
	CreateInstantInvite: 1n << 0n,
	KickMembers: 1n << 1n,
	BanMembers: 1n << 2n,
	Administrator: 1n << 3n,
	ManageChannels: 1n << 4n,
	ManageGuild: 1n << 5n,
	AddReactions: 1n << 6n,
	ViewChannel: 1n << 10n,
	SendMessages: 1n << 11n,
	ManageMessages: 1n << 13n,
	EmbedLinks: 1n << 14n,
	AttachFiles: 1n << 15n,
	ReadMessageHistory: 1n << 16n,
	MentionEveryone: 1n << 17n,
	UseExternalEmojis: 1n << 18n,
	Connect: 1n << 20n,
	Speak: 1n << 21n,
	ChangeNickname: 1n << 26n,
	ManageRoles: 1n << 28n,
	UseApplicationCommands: 1n << 31n,
	SendMessagesInThreads: 1n << 38n
} as const;

/** Every permission Discord knows today (bits 0..50); what an owner or an administrator has. */
export const ALL_PERMISSIONS = (1n << 51n) - 1n;

/** Reading and writing in text channels, with commands: what both defaults below start from. */
const TEXT_CHAT =
	Permission.ViewChannel |
	Permission.SendMessages |
	Permission.EmbedLinks |
	Permission.AttachFiles |
	Permission.ReadMessageHistory |
	Permission.UseExternalEmojis |
	Permission.UseApplicationCommands |
	Permission.SendMessagesInThreads;

/** What a fresh server grants @everyone. */
export const DEFAULT_EVERYONE_PERMISSIONS =
	TEXT_CHAT | Permission.CreateInstantInvite | Permission.AddReactions | Permission.Connect | Permission.Speak | Permission.ChangeNickname;

/** What the bot's managed role grants unless a test says otherwise: enough to answer and post, no moderation. */
export const DEFAULT_BOT_PERMISSIONS = TEXT_CHAT;

/** Guild-level permissions of a member: owner and administrators get everything, others the union of their roles. */
export function computeBasePermissions(options: { isOwner: boolean; rolePermissions: Iterable<bigint>; extra?: bigint }): bigint {
	if (options.isOwner) return ALL_PERMISSIONS;
	let permissions = options.extra ?? 0n;
	for (const bits of options.rolePermissions) permissions |= bits;
	return (permissions & Permission.Administrator) === 0n ? permissions : ALL_PERMISSIONS;
}

export function toBitfield(value: bigint | string | number | undefined, fallback: bigint): bigint {
	return value === undefined ? fallback : BigInt(value);
}
