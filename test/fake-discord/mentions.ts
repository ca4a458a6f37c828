/**
 * Who a message would notify. Discord parses mentions only from `content` (never from embeds), and `allowed_mentions`
 * filters them; when `allowed_mentions` is absent Discord parses everything. (Role mentionability and the bot's
 * Mention Everyone permission are ignored here on purpose: a test wants to know what the bot *asked* for.)
 */
export interface AllowedMentions {
	parse?: Array<'everyone' | 'roles' | 'users' | null> | null;
	users?: Array<string | null> | null;
	roles?: Array<string | null> | null;
	replied_user?: boolean | null;
}

export interface WouldPing {
	everyone: boolean;
	roles: string[];
	users: string[];
}

export function mentionsInContent(content: string): WouldPing {
	const unique = (values: Iterable<string>) => [...new Set(values)];
	return {
		everyone: /@(everyone|here)/.test(content),
		users: unique([...content.matchAll(/<@!?(\d{17,20})>/g)].map((match) => match[1]!)),
		roles: unique([...content.matchAll(/<@&(\d{17,20})>/g)].map((match) => match[1]!))
	};
}

/**
 * Who the message mentions, given `allowed_mentions`. `repliedUserId` is the author of the message it replies to:
 * Discord pings them unless `allowed_mentions` is sent without `replied_user: true`.
 */
export function computeWouldPing(
	content: string | null | undefined,
	allowed: AllowedMentions | null | undefined,
	repliedUserId: string | null = null
): WouldPing {
	const mentioned = mentionsInContent(content ?? '');
	const withReplied = (users: string[], pingReplied: boolean) =>
		repliedUserId && pingReplied && !users.includes(repliedUserId) ? [...users, repliedUserId] : users;
	if (!allowed) return { ...mentioned, users: withReplied(mentioned.users, true) };
	const parse = new Set(allowed.parse ?? []);
	const explicitUsers = new Set((allowed.users ?? []).filter((id): id is string => typeof id === 'string'));
	const explicitRoles = new Set((allowed.roles ?? []).filter((id): id is string => typeof id === 'string'));
	return {
		everyone: mentioned.everyone && parse.has('everyone'),
		users: withReplied(
			mentioned.users.filter((id) => parse.has('users') || explicitUsers.has(id)),
			allowed.replied_user === true
		),
		roles: mentioned.roles.filter((id) => parse.has('roles') || explicitRoles.has(id))
	};
}

/** Discord refuses `parse: ['users']` with a `users` list (and likewise for roles): they are mutually exclusive. */
export function allowedMentionsConflicts(allowed: unknown): Array<'users' | 'roles'> {
	if (typeof allowed !== 'object' || allowed === null) return [];
	const { parse, users, roles } = allowed as AllowedMentions;
	const parsed = new Set(parse ?? []);
	return (['users', 'roles'] as const).filter(
		(kind) => parsed.has(kind) && Array.isArray(kind === 'users' ? users : roles) && (kind === 'users' ? users : roles)!.length > 0
	);
}
